//! Automation rules, the domain events they are evaluated on, their execution log, and a
//! company's business hours.
//!
//! `automation_events` is an outbox: a change that may trigger rules (a customer message, a tag
//! added) writes its event in the same transaction, and the worker evaluates the company's events
//! in id order (UUIDv7: the order they were written) and marks each one processed in the
//! transaction that applies its rules' actions — so an event is acted on exactly once.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AutomationRules::Table)
                    .col(uuid(AutomationRules::Id).primary_key())
                    .col(uuid(AutomationRules::CompanyId))
                    .col(string_len(AutomationRules::Name, 120))
                    .col(boolean(AutomationRules::Enabled).default(true))
                    .col(string_len(AutomationRules::TriggerKind, 32))
                    .col(json(AutomationRules::Trigger))
                    .col(json(AutomationRules::Conditions))
                    .col(json(AutomationRules::Actions))
                    .col(uuid_null(AutomationRules::CreatedBy))
                    .col(timestamp_with_time_zone(AutomationRules::CreatedAt))
                    .col(timestamp_with_time_zone(AutomationRules::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AutomationRules::Table, AutomationRules::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_automation_rules_company_trigger")
                    .table(AutomationRules::Table)
                    .col(AutomationRules::CompanyId)
                    .col(AutomationRules::TriggerKind)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AutomationEvents::Table)
                    .col(uuid(AutomationEvents::Id).primary_key())
                    .col(uuid(AutomationEvents::CompanyId))
                    .col(string_len(AutomationEvents::Kind, 32))
                    .col(uuid_null(AutomationEvents::ConversationId))
                    .col(uuid_null(AutomationEvents::ContactId))
                    .col(uuid_null(AutomationEvents::MessageId))
                    .col(json(AutomationEvents::Data))
                    .col(json(AutomationEvents::Chain))
                    .col(timestamp_with_time_zone(AutomationEvents::CreatedAt))
                    .col(timestamp_with_time_zone_null(AutomationEvents::ProcessedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AutomationEvents::Table, AutomationEvents::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_automation_events_pending")
                    .table(AutomationEvents::Table)
                    .col(AutomationEvents::CompanyId)
                    .col(AutomationEvents::ProcessedAt)
                    .col(AutomationEvents::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AutomationRuns::Table)
                    .col(uuid(AutomationRuns::Id).primary_key())
                    .col(uuid(AutomationRuns::CompanyId))
                    .col(uuid(AutomationRuns::RuleId))
                    .col(string_len(AutomationRuns::TriggerKind, 32))
                    .col(uuid_null(AutomationRuns::ConversationId))
                    .col(uuid_null(AutomationRuns::ContactId))
                    .col(string_len_null(AutomationRuns::ContactName, 200))
                    .col(string_len(AutomationRuns::Outcome, 16))
                    .col(json(AutomationRuns::Steps))
                    .col(timestamp_with_time_zone(AutomationRuns::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AutomationRuns::Table, AutomationRuns::RuleId)
                            .to(AutomationRules::Table, AutomationRules::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_automation_runs_rule")
                    .table(AutomationRuns::Table)
                    .col(AutomationRuns::RuleId)
                    .col(AutomationRuns::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Companies::Table)
                    .add_column(json_null(Companies::BusinessHours))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Companies::Table)
                    .drop_column(Companies::BusinessHours)
                    .to_owned(),
            )
            .await?;
        for table in [
            AutomationRuns::Table.into_iden(),
            AutomationEvents::Table.into_iden(),
            AutomationRules::Table.into_iden(),
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
    BusinessHours,
}

#[derive(DeriveIden)]
enum AutomationRules {
    Table,
    Id,
    CompanyId,
    Name,
    Enabled,
    TriggerKind,
    Trigger,
    Conditions,
    Actions,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AutomationEvents {
    Table,
    Id,
    CompanyId,
    Kind,
    ConversationId,
    ContactId,
    MessageId,
    Data,
    Chain,
    CreatedAt,
    ProcessedAt,
}

#[derive(DeriveIden)]
enum AutomationRuns {
    Table,
    Id,
    CompanyId,
    RuleId,
    TriggerKind,
    ConversationId,
    ContactId,
    ContactName,
    Outcome,
    Steps,
    CreatedAt,
}
