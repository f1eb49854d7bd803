//! Ledger rows in and out of a test database under any schema: a line to post, the migrations
//! up to a point, rows an older schema wrote (in plain SQL), and what a migration's down and up
//! must leave unchanged.

use entities::ledger_day;

/// A settled fee of `minor` US cents on order `o-1` whose label (`brand_new_fee_amount`) no
/// mapping knows, booked to OTHER, dated now.
pub fn unmapped_line(key: &str, minor: i64) -> pnl::ledger::NewLine {
    pnl::ledger::NewLine {
        entry_key: key.to_owned(),
        shop_id: None,
        channel: pnl::ledger::Channel::TikTokShop,
        order_id: Some("o-1".to_owned()),
        order_line: None,
        listing_id: None,
        product_id: None,
        channel_product_id: None,
        creator_id: None,
        bucket: pnl::ledger::FeeBucket::Other,
        label: "brand_new_fee_amount".to_owned(),
        mapped: false,
        amount: pnl::money::Money::from_minor(minor, "USD".parse().unwrap()),
        quantity: 0,
        occurred_at: chrono::Utc::now(),
        status: pnl::ledger::EntryStatus::Settled,
        payout_id: None,
        source_kind: "test".to_owned(),
        source_id: key.to_owned(),
    }
}

/// How many of the migrations come before migration `name`.
pub fn migrations_before(name: &str) -> u32 {
    use migration::MigratorTrait;
    let position = migration::Migrator::migrations()
        .iter()
        .position(|m| m.name() == name)
        .unwrap();
    u32::try_from(position).unwrap()
}

/// How many migrations migration `name` and every one after it are: what `Migrator::down`
/// undoes to reach the schema before `name`.
pub fn migrations_from(name: &str) -> u32 {
    use migration::MigratorTrait;
    u32::try_from(migration::Migrator::migrations().len()).unwrap() - migrations_before(name)
}

/// `expression` over every `ledger_entry` row, by id, read in plain SQL (so under any schema,
/// older ones included).
pub async fn ledger_column<T: sea_orm::TryGetable>(db: &pnl::db::Db, expression: &str) -> Vec<T> {
    use sea_orm::ConnectionTrait;
    let conn = db.conn();
    conn.query_all(sea_orm::Statement::from_string(
        conn.get_database_backend(),
        format!("SELECT {expression} AS v FROM ledger_entry ORDER BY ledger_entry.id"),
    ))
    .await
    .unwrap()
    .iter()
    .map(|row| row.try_get("", "v").unwrap())
    .collect()
}

/// `db` migrated up to just before `migration`, with org `acme` and its source kind `test`:
/// where a migration's test writes, in plain SQL, the rows an older server wrote. Returns the
/// org's id.
pub async fn acme_before(db: &pnl::db::Db, migration: &str) -> i64 {
    use migration::MigratorTrait;
    migration::Migrator::up(db.conn(), Some(migrations_before(migration)))
        .await
        .unwrap();
    let org = pnl::org::ensure(db.conn(), "acme").await.unwrap().id;
    execute(
        db,
        "INSERT INTO source_kind (org_id, name) VALUES (?, 'test')",
        vec![org.into()],
    )
    .await;
    org
}

/// Runs `sql` with `?` placeholders (numbered for PostgreSQL) on `db`: for rows an older
/// schema had, which the entities can no longer write.
pub async fn execute(db: &pnl::db::Db, sql: &str, values: Vec<sea_orm::Value>) {
    use sea_orm::ConnectionTrait;
    let conn = db.conn();
    let backend = conn.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            let mut n = 0;
            sql.chars()
                .map(|c| {
                    if c == '?' {
                        n += 1;
                        format!("${n}")
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        }
        _ => sql.to_owned(),
    };
    conn.execute(sea_orm::Statement::from_sql_and_values(
        backend, sql, values,
    ))
    .await
    .unwrap();
}

/// Every row of `ledger_entry`, oldest first.
pub async fn ledger_entries(db: &pnl::db::Db) -> Vec<entities::ledger_entry::Model> {
    use sea_orm::{EntityTrait, QueryOrder};
    entities::ledger_entry::Entity::find()
        .order_by_asc(entities::ledger_entry::Column::Id)
        .all(db.conn())
        .await
        .unwrap()
}

/// Posts `lines` for `org` (no raw record, nothing retired).
pub async fn post_to(
    db: &pnl::db::Db,
    org: i64,
    lines: Vec<pnl::ledger::NewLine>,
) -> pnl::ledger::PostOutcome {
    pnl::ledger::post(
        db,
        org,
        pnl::ledger::PostRequest {
            lines,
            ..pnl::ledger::PostRequest::default()
        },
    )
    .await
    .unwrap()
}

/// Ledger rows labelled `label` (through the orgs' label dictionaries): a filter for tests that
/// pick rows by their channel label.
pub fn labelled(label: &str) -> sea_orm::sea_query::SimpleExpr {
    use entities::{ledger_entry, ledger_label};
    use sea_orm::sea_query::Query;
    use sea_orm::ColumnTrait;
    ledger_entry::Column::LabelId.in_subquery(
        Query::select()
            .column(ledger_label::Column::Id)
            .from(ledger_label::Entity)
            .and_where(ledger_label::Column::Name.eq(label))
            .to_owned(),
    )
}

/// The readable entry keys of `rows` (of one org), as the ledger reads them back.
pub async fn read_keys(db: &pnl::db::Db, rows: &[entities::ledger_entry::Model]) -> Vec<String> {
    pnl::ledger::query::entries(db.conn(), rows.to_vec())
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.entry_key)
        .collect()
}

/// `rows` with their dictionary ids (source kind, label) zeroed: a migration's down and up
/// rebuild the dictionaries, so the ids may differ while every name stays.
pub fn without_dictionary_ids(
    rows: Vec<entities::ledger_entry::Model>,
) -> Vec<entities::ledger_entry::Model> {
    rows.into_iter()
        .map(|row| entities::ledger_entry::Model {
            source_kind_id: 0,
            label_id: 0,
            ..row
        })
        .collect()
}

/// The names in `org`'s dictionary `table` (`source_kind`, `ledger_label`), sorted.
pub async fn dictionary(db: &pnl::db::Db, table: &str, org: i64) -> Vec<String> {
    use sea_orm::ConnectionTrait;
    let conn = db.conn();
    let mut names: Vec<String> = conn
        .query_all(sea_orm::Statement::from_sql_and_values(
            conn.get_database_backend(),
            format!(
                "SELECT name FROM {table} WHERE org_id = {}",
                match conn.get_database_backend() {
                    sea_orm::DatabaseBackend::Postgres => "$1",
                    _ => "?",
                }
            ),
            [org.into()],
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get("", "name").unwrap())
        .collect();
    names.sort();
    names
}

/// Migrates `db` up again and checks that every ledger row is as in `before` (dictionary ids
/// aside): a migration's down and up lose and change nothing.
pub async fn up_again_the_same(db: &pnl::db::Db, before: Vec<entities::ledger_entry::Model>) {
    use migration::MigratorTrait;
    migration::Migrator::up(db.conn(), None).await.unwrap();
    assert_eq!(
        without_dictionary_ids(ledger_entries(db).await),
        without_dictionary_ids(before)
    );
}

/// Migrates `db` up, which must refuse at `migration` with an error naming `why` (row, column,
/// value) and leave `migration` unapplied.
pub async fn up_refuses(db: &pnl::db::Db, migration: &str, why: &str) {
    use migration::MigratorTrait;
    let error = migration::Migrator::up(db.conn(), None)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains(why), "{error}");
    assert!(error.contains("nothing was converted"), "{error}");
    let applied = migration::Migrator::get_applied_migrations(db.conn())
        .await
        .unwrap();
    assert!(applied.iter().all(|m| m.name() != migration));
}

/// Every daily sum, ids zeroed, in one order over all their fields ([`in_sums_order`]): kept
/// sums and sums rebuilt from the lines compare equal whatever order the database returns.
pub async fn day_sums(db: &pnl::db::Db) -> Vec<ledger_day::Model> {
    use sea_orm::EntityTrait;
    let sums = ledger_day::Entity::find().all(db.conn()).await.unwrap();
    in_sums_order(
        sums.into_iter()
            .map(|row| ledger_day::Model { id: 0, ..row })
            .collect(),
    )
}

/// `sums` sorted by every field (their `Debug` text: the model has no `Ord`).
pub fn in_sums_order(mut sums: Vec<ledger_day::Model>) -> Vec<ledger_day::Model> {
    sums.sort_by_cached_key(|row| format!("{row:?}"));
    sums
}
