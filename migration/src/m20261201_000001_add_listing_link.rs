//! One product across channels: a listing is auto-linked to the org's product whose SKU matches
//! its seller SKU after normalisation ([`normalized_sku`]), so products get `sku_key` (that
//! normalised SKU, indexed per org) and listings get `linked_by_hand` (set by `linkListing` and
//! `unlinkListing`; auto-linking never touches such a listing again). Existing products are
//! backfilled here, row by row, because the normalisation (Unicode case folding, inner whitespace
//! collapsed) has no portable SQL spelling.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

use crate::util::{col, id, index};

/// The key two seller SKUs are the same product by: trimmed, every run of inner whitespace
/// collapsed into one space, and lower-cased (Unicode), so `" abc-1 "`, `"ABC-1"` and
/// `"Abc-1"` are one product, and `"TEE  BLK"` is `"tee blk"`. Nothing else is changed (dashes,
/// underscores and dots still tell SKUs apart).
pub fn normalized_sku(sku: &str) -> String {
    sku.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(id("product"))
                    .add_column(col("sku_key").string().default(""))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(id("listing"))
                    .add_column(col("linked_by_hand").boolean().default(false))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        for row in db
            .query_all(Statement::from_string(
                backend,
                "SELECT id, sku FROM product",
            ))
            .await?
        {
            let product: i64 = row.try_get_by_index(0)?;
            let sku: String = row.try_get_by_index(1)?;
            let (key, product_param) = match backend {
                sea_orm_migration::sea_orm::DatabaseBackend::Postgres => ("$1", "$2"),
                _ => ("?", "?"),
            };
            db.execute(Statement::from_sql_and_values(
                backend,
                format!("UPDATE product SET sku_key = {key} WHERE id = {product_param}"),
                [normalized_sku(&sku).into(), product.into()],
            ))
            .await?;
        }
        manager
            .create_index(index(
                "ix_product_org_sku_key",
                "product",
                &["org_id", "sku_key"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_product_org_sku_key")
                    .table(id("product"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(id("listing"))
                    .drop_column(id("linked_by_hand"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(id("product"))
                    .drop_column(id("sku_key"))
                    .to_owned(),
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    use sea_orm_migration::sea_orm::{ConnectionTrait, Database, Statement};
    use sea_orm_migration::MigratorTrait;

    use super::normalized_sku;
    use crate::Migrator;

    #[tokio::test]
    async fn products_that_exist_before_the_migration_get_their_key() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        let before = Migrator::migrations()
            .iter()
            .position(|m| m.name() == "m20261201_000001_add_listing_link")
            .unwrap();
        Migrator::up(&db, Some(u32::try_from(before).unwrap()))
            .await
            .unwrap();
        db.execute_unprepared(
            "INSERT INTO org (id, key, name, created_at) VALUES (1, 'acme', 'Acme', '2026-01-01T00:00:00Z'); \
             INSERT INTO product (org_id, sku, created_at) VALUES (1, '  Tee  BLK ', '2026-01-01T00:00:00Z')",
        )
        .await
        .unwrap();
        Migrator::up(&db, None).await.unwrap();
        let row = db
            .query_one(Statement::from_string(
                db.get_database_backend(),
                "SELECT sku_key FROM product",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get_by_index::<String>(0).unwrap(), "tee blk");
    }

    #[test]
    fn skus_differing_in_case_or_whitespace_share_a_key() {
        assert_eq!(normalized_sku(" abc-1 "), normalized_sku("ABC-1"));
        assert_eq!(normalized_sku("Tee \t BLK\u{a0}m"), "tee blk m");
        assert_eq!(normalized_sku("ÉTÉ-1"), "été-1");
        assert_ne!(normalized_sku("ABC-1"), normalized_sku("ABC_1"));
        assert_ne!(normalized_sku("AB C"), normalized_sku("ABC"));
        assert_eq!(normalized_sku("   "), "");
    }
}
