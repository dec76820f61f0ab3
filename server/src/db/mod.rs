//! The database: connecting (SQLite by default, PostgreSQL by URL), migrating, the generated
//! entities, and the tenant-scoped query helpers every area uses.

pub mod entities;
pub mod tenant;

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection};

use crate::config::Config;

pub use tenant::{Tenant, TenantScoped};

/// The database URL for a config: `database_url`, or a SQLite file in the data directory.
pub fn database_url(config: &Config) -> String {
    match &config.database_url {
        Some(url) => url.expose().clone(),
        None => format!("sqlite://{}?mode=rwc", config.data_dir.join("master-ia.db").display()),
    }
}

/// Connects and applies every pending migration.
///
/// # Errors
/// Unreachable server, bad credentials, or a migration that fails.
pub async fn connect_and_migrate(config: &Config) -> anyhow::Result<DatabaseConnection> {
    let url = database_url(config);
    let is_sqlite = url.starts_with("sqlite:");
    if is_sqlite {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating data directory {}", config.data_dir.display()))?;
    }
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(if is_sqlite { 8 } else { 20 })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(15))
        .sqlx_logging(false);
    if is_sqlite {
        // WAL lets readers run beside the single writer; the busy timeout makes a writer wait for
        // the lock instead of failing with SQLITE_BUSY under load. Both are set per connection.
        options.map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    }
    let db = Database::connect(options).await.context("connecting to the database")?;
    Migrator::up(&db, None).await.context("applying database migrations")?;
    Ok(db)
}

/// Cheap liveness query for `/readyz`.
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.execute_unprepared("SELECT 1").await.is_ok()
}

pub fn is_postgres(db: &DatabaseConnection) -> bool {
    db.get_database_backend() == DatabaseBackend::Postgres
}

/// Timestamps are kept to the microsecond, the precision PostgreSQL stores, so a value read back
/// equals the value written on both backends.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    let now = chrono::Utc::now();
    chrono::DurationRound::duration_trunc(now, chrono::TimeDelta::microseconds(1)).unwrap_or(now)
}

/// True when a database error is a unique-constraint violation (a duplicate insert).
pub fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
    matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}
