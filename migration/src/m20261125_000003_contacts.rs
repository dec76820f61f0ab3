//! Contacts (the CRM): one row per customer phone number per company, their tags, and the
//! company's default country for reading numbers typed without a country code.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Companies::Table)
                    .add_column(string_len(Companies::DefaultCountry, 2).default("BR"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Contacts::Table)
                    .col(uuid(Contacts::Id).primary_key())
                    .col(uuid(Contacts::CompanyId))
                    .col(string_len(Contacts::Phone, 20))
                    .col(string_len(Contacts::Name, 120).default(""))
                    .col(string_len_null(Contacts::Email, 254))
                    // Lower-cased "name phone email" for substring search on both backends.
                    .col(text(Contacts::SearchText).default(""))
                    .col(json(Contacts::Attributes))
                    .col(text_null(Contacts::Notes))
                    .col(boolean(Contacts::OptedOut).default(false))
                    .col(timestamp_with_time_zone_null(Contacts::OptedOutAt))
                    .col(string_len_null(Contacts::OptedOutVia, 16))
                    .col(timestamp_with_time_zone_null(Contacts::LastContactedAt))
                    .col(timestamp_with_time_zone(Contacts::CreatedAt))
                    .col(timestamp_with_time_zone(Contacts::UpdatedAt))
                    // Soft delete: messages keep pointing at the row; the phone becomes free.
                    .col(timestamp_with_time_zone_null(Contacts::DeletedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Contacts::Table, Contacts::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One live contact per phone per company. A partial index (same SQL on SQLite and
        // PostgreSQL) so that a soft-deleted contact does not block re-creating the number.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_contacts_company_phone ON contacts (company_id, phone) \
                 WHERE deleted_at IS NULL",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_contacts_company_id")
                    .table(Contacts::Table)
                    .col(Contacts::CompanyId)
                    .col(Contacts::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ContactTags::Table)
                    .col(uuid(ContactTags::ContactId))
                    .col(uuid(ContactTags::CompanyId))
                    .col(string_len(ContactTags::Tag, 64))
                    .primary_key(Index::create().col(ContactTags::ContactId).col(ContactTags::Tag))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ContactTags::Table, ContactTags::ContactId)
                            .to(Contacts::Table, Contacts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_contact_tags_company_tag")
                    .table(ContactTags::Table)
                    .col(ContactTags::CompanyId)
                    .col(ContactTags::Tag)
                    .col(ContactTags::ContactId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ContactTags::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Contacts::Table).to_owned()).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Companies::Table)
                    .drop_column(Companies::DefaultCountry)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
    DefaultCountry,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
    CompanyId,
    Phone,
    Name,
    Email,
    SearchText,
    Attributes,
    Notes,
    OptedOut,
    OptedOutAt,
    OptedOutVia,
    LastContactedAt,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum ContactTags {
    Table,
    ContactId,
    CompanyId,
    Tag,
}
