//! The rest of the CRM: company-defined contact fields, saved segments, the record of CSV imports,
//! the GDPR/LGPD erase marker, and the index behind sorting contacts by name.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ContactFields::Table)
                    .col(uuid(ContactFields::Id).primary_key())
                    .col(uuid(ContactFields::CompanyId))
                    .col(string_len(ContactFields::Key, 64))
                    .col(string_len(ContactFields::Label, 80))
                    .col(string_len(ContactFields::Kind, 16))
                    .col(json(ContactFields::Options))
                    .col(timestamp_with_time_zone(ContactFields::CreatedAt))
                    .col(timestamp_with_time_zone(ContactFields::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ContactFields::Table, ContactFields::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_contact_fields_company_key")
                    .table(ContactFields::Table)
                    .col(ContactFields::CompanyId)
                    .col(ContactFields::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Segments::Table)
                    .col(uuid(Segments::Id).primary_key())
                    .col(uuid(Segments::CompanyId))
                    .col(string_len(Segments::Name, 120))
                    .col(json(Segments::Filter))
                    .col(uuid_null(Segments::CreatedBy))
                    .col(timestamp_with_time_zone(Segments::CreatedAt))
                    .col(timestamp_with_time_zone(Segments::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Segments::Table, Segments::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_segments_company_name")
                    .table(Segments::Table)
                    .col(Segments::CompanyId)
                    .col(Segments::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ContactImports::Table)
                    .col(uuid(ContactImports::Id).primary_key())
                    .col(uuid(ContactImports::CompanyId))
                    .col(uuid_null(ContactImports::UserId))
                    .col(string_len_null(ContactImports::Filename, 255))
                    .col(string_len(ContactImports::Status, 16))
                    .col(big_integer(ContactImports::Lines).default(0))
                    .col(big_integer(ContactImports::Imported).default(0))
                    .col(big_integer(ContactImports::Updated).default(0))
                    .col(big_integer(ContactImports::RejectedCount).default(0))
                    // The first rejected lines, `[{line, reason}]`.
                    .col(json(ContactImports::Rejected))
                    .col(text_null(ContactImports::Error))
                    .col(timestamp_with_time_zone(ContactImports::CreatedAt))
                    .col(timestamp_with_time_zone_null(ContactImports::FinishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ContactImports::Table, ContactImports::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_contact_imports_company")
                    .table(ContactImports::Table)
                    .col(ContactImports::CompanyId)
                    .col(ContactImports::Id)
                    .to_owned(),
            )
            .await?;

        // Set when personal data was erased for good (the row stays as a tombstone so message
        // history keeps a valid reference).
        manager
            .alter_table(
                Table::alter()
                    .table(Contacts::Table)
                    .add_column(timestamp_with_time_zone_null(Contacts::ErasedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_contacts_company_name")
                    .table(Contacts::Table)
                    .col(Contacts::CompanyId)
                    .col(Contacts::Name)
                    .col(Contacts::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop().name("ix_contacts_company_name").table(Contacts::Table).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter().table(Contacts::Table).drop_column(Contacts::ErasedAt).to_owned(),
            )
            .await?;
        manager.drop_table(Table::drop().table(ContactImports::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Segments::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ContactFields::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Name,
    Id,
    CompanyId,
    ErasedAt,
}

#[derive(DeriveIden)]
enum ContactFields {
    Table,
    Id,
    CompanyId,
    Key,
    Label,
    Kind,
    Options,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Segments {
    Table,
    Id,
    CompanyId,
    Name,
    Filter,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ContactImports {
    Table,
    Id,
    CompanyId,
    UserId,
    Filename,
    Status,
    Lines,
    Imported,
    Updated,
    RejectedCount,
    Rejected,
    Error,
    CreatedAt,
    FinishedAt,
}
