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

/// A foreign key from `from_table.from_col` to `to_table.to_col`.
pub(crate) fn fk(
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    to_col: impl IntoIden,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .on_delete(on_delete)
        .to_owned()
}

/// Run raw SQL statements, one per entry, on the migration connection.
pub(crate) async fn run_sql(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    let conn = manager.get_connection();
    for sql in statements {
        conn.execute_unprepared(sql).await?;
    }
    Ok(())
}
