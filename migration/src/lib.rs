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
mod m20261202_000005_emails;
mod m20261202_000006_login_throttles;
mod m20261202_000007_projects_and_actions;
mod m20261203_000008_events;
mod m20261204_000009_bounded_clash_check;
mod m20261205_000010_disclosure_requests;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_identity_and_organizations::Migration),
            Box::new(m20261129_000002_agreements::Migration),
            Box::new(m20261129_000003_spaces::Migration),
            Box::new(m20261201_000004_tenancy::Migration),
            Box::new(m20261202_000005_emails::Migration),
            Box::new(m20261202_000006_login_throttles::Migration),
            Box::new(m20261202_000007_projects_and_actions::Migration),
            Box::new(m20261203_000008_events::Migration),
            Box::new(m20261204_000009_bounded_clash_check::Migration),
            Box::new(m20261205_000010_disclosure_requests::Migration),
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

/// Tables that later migrations only point at (their columns are declared by
/// the migration that created them).
pub(crate) mod refs {
    use super::*;

    #[derive(DeriveIden, Clone, Copy)]
    pub(crate) enum Users {
        Table,
    }

    #[derive(DeriveIden, Clone, Copy)]
    pub(crate) enum Organizations {
        Table,
    }

    #[derive(DeriveIden, Clone, Copy)]
    pub(crate) enum Agreements {
        Table,
    }
}

/// A text column holding one of `values` (a stored enum), under a CHECK.
pub(crate) fn one_of<T: IntoIden + Clone + 'static>(col: T, values: &[&str]) -> ColumnDef {
    use sea_orm_migration::schema::string_len;
    string_len(col.clone(), 24)
        .check(Expr::col(col).is_in(values.iter().copied()))
        .to_owned()
}

/// Create a table from its builder.
pub(crate) async fn create_table(
    manager: &SchemaManager<'_>,
    table: &mut TableCreateStatement,
) -> Result<(), DbErr> {
    manager.create_table(table.to_owned()).await
}

/// Create an index over `cols` (column names, in order).
pub(crate) async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + Send,
    cols: &[&'static str],
) -> Result<(), DbErr> {
    manager.create_index(index_on(name, table, cols)).await
}

/// Create a unique index over `cols`; its name is the constraint's.
pub(crate) async fn unique_index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + Send,
    cols: &[&'static str],
) -> Result<(), DbErr> {
    manager
        .create_index(index_on(name, table, cols).unique().to_owned())
        .await
}

fn index_on(name: &str, table: impl IntoIden, cols: &[&'static str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(Alias::new(*c));
    }
    idx
}

/// Add one column (SQLite adds one per ALTER TABLE).
pub(crate) async fn add_column(
    manager: &SchemaManager<'_>,
    table: impl IntoIden + Send,
    column: impl IntoColumnDef + Send,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).add_column(column).to_owned())
        .await
}

/// Drop tables, in the order given (dependents first).
pub(crate) async fn drop_tables(manager: &SchemaManager<'_>, tables: &[&str]) -> Result<(), DbErr> {
    for table in tables {
        manager
            .drop_table(Table::drop().table(Alias::new(*table)).to_owned())
            .await?;
    }
    Ok(())
}

/// Run raw SQL statements, one per entry, on the migration connection.
pub(crate) async fn run_sql(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    let conn = manager.get_connection();
    for sql in statements {
        conn.execute_unprepared(sql).await?;
    }
    Ok(())
}
