//! The schema, one migration per file, applied in order at start-up (`Migrator::up`).
//!
//! Every migration must run on both SQLite and PostgreSQL: use sea-query's portable column
//! types, and keep backend-specific SQL behind `manager.get_database_backend()`.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_tenants;
mod m20261125_000002_jobs;
mod m20261125_000003_contacts;
mod m20261125_000004_contact_settings;
mod m20261126_000005_channels;
mod m20261126_000006_inbox;
mod m20261126_000007_campaigns;
mod m20261127_000008_knowledge;
mod m20261128_000009_ai_inbox;
mod m20261129_000010_automation;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_tenants::Migration),
            Box::new(m20261125_000002_jobs::Migration),
            Box::new(m20261125_000003_contacts::Migration),
            Box::new(m20261125_000004_contact_settings::Migration),
            Box::new(m20261126_000005_channels::Migration),
            Box::new(m20261126_000006_inbox::Migration),
            Box::new(m20261126_000007_campaigns::Migration),
            Box::new(m20261127_000008_knowledge::Migration),
            Box::new(m20261128_000009_ai_inbox::Migration),
            Box::new(m20261129_000010_automation::Migration),
        ]
    }
}
