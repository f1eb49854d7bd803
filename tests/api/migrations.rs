//! The migration chain runs up, down and up again on the backend under test.

use migration::{Migrator, MigratorTrait};
use pnl::db::Db;

use crate::helpers::TestDb;

#[tokio::test]
async fn migrations_run_up_down_up() {
    let test_db = TestDb::fresh().await;
    let db = Db::connect(&test_db.url).await.unwrap();
    Migrator::up(db.conn(), None).await.unwrap();
    Migrator::down(db.conn(), None).await.unwrap();
    assert!(Migrator::get_applied_migrations(db.conn())
        .await
        .unwrap()
        .is_empty());
    Migrator::up(db.conn(), None).await.unwrap();
    assert_eq!(
        Migrator::get_applied_migrations(db.conn())
            .await
            .unwrap()
            .len(),
        Migrator::migrations().len()
    );
    db.close().await;
}
