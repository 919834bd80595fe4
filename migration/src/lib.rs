//! Database migrations, run at start-up by `yeondae serve` and by
//! `yeondae migrate`. Tables are declared once with sea-query so both backends
//! get the same shape; what only one backend can say (PL/pgSQL triggers,
//! exclusion constraints, SQLite triggers) is raw SQL kept beside them.

pub use sea_orm_migration::prelude::*;

pub mod constraints;

mod m20261128_000001_identity_and_organizations;
mod m20261129_000002_agreements;
mod m20261129_000003_spaces;
mod m20261201_000004_tenancy;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_identity_and_organizations::Migration),
            Box::new(m20261129_000002_agreements::Migration),
            Box::new(m20261129_000003_spaces::Migration),
            Box::new(m20261201_000004_tenancy::Migration),
        ]
    }
}

/// Foreign keys from the table being created to another table's `id`, one
/// line each, so a table's references read as a list.
pub(crate) trait References {
    fn references(
        &mut self,
        col: impl IntoIden,
        to_table: impl IntoIden,
        on_delete: ForeignKeyAction,
    ) -> &mut Self;
}

impl References for TableCreateStatement {
    fn references(
        &mut self,
        col: impl IntoIden,
        to_table: impl IntoIden,
        on_delete: ForeignKeyAction,
    ) -> &mut Self {
        let mut key = ForeignKey::create();
        if let Some(table) = self.get_table_name() {
            key.from_tbl(table.clone());
        }
        key.from_col(col)
            .to(to_table, Alias::new("id"))
            .on_delete(on_delete);
        self.foreign_key(&mut key)
    }
}

/// Run raw SQL statements, one per entry, on the migration connection.
pub(crate) async fn run_sql(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    let conn = manager.get_connection();
    for sql in statements {
        conn.execute_unprepared(sql).await?;
    }
    Ok(())
}
