//! Tenant isolation by construction.
//!
//! Tables that belong to a company implement [`TenantScoped`], and handlers only ever reach them
//! through a [`Tenant`] (which the auth extractor produces): every select, update and delete built
//! here carries `company_id = ?`. A row of another company is therefore simply not found (404),
//! never forbidden, so its existence does not leak.

use sea_orm::{
    ColumnTrait, DeleteMany, EntityTrait, PrimaryKeyTrait, QueryFilter, Select, UpdateMany,
};
use uuid::Uuid;

/// An entity whose rows belong to one company.
pub trait TenantScoped: EntityTrait {
    fn company_column() -> Self::Column;
}

/// The company a request acts for. Only the auth extractor (and tests) create one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tenant {
    company_id: Uuid,
}

impl Tenant {
    /// Scopes to a company. Call sites outside `auth` are sign-up (the company was just created)
    /// and background jobs that carry the company id they were enqueued with.
    pub fn new(company_id: Uuid) -> Self {
        Tenant { company_id }
    }

    pub fn company_id(&self) -> Uuid {
        self.company_id
    }

    /// `SELECT ... WHERE company_id = ?`.
    pub fn select<E: TenantScoped>(&self) -> Select<E> {
        E::find().filter(E::company_column().eq(self.company_id))
    }

    /// One row by primary key, within this company.
    pub fn select_by_id<E>(&self, id: Uuid) -> Select<E>
    where
        E: TenantScoped,
        <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    {
        E::find_by_id(id).filter(E::company_column().eq(self.company_id))
    }

    pub fn update_many<E: TenantScoped>(&self) -> UpdateMany<E> {
        E::update_many().filter(E::company_column().eq(self.company_id))
    }

    pub fn delete_many<E: TenantScoped>(&self) -> DeleteMany<E> {
        E::delete_many().filter(E::company_column().eq(self.company_id))
    }
}
