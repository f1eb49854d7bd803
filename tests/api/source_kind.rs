//! Migration `m20261207_000002_create_source_kind`: a ledger row carries the id of its source
//! kind in its org's dictionary. Postings add the kinds they bring, once per org; entries read
//! back with their kind's name; down writes the names back into the rows and up converts them
//! again without losing a line; another org's kinds are its own rows.

use entities::source_kind;
use migration::{Migrator, MigratorTrait};
use pnl::db::Db;
use pnl::ledger::query::{list, EntryFilter};
use pnl::ledger::{post, PostOutcome, PostRequest};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement};

use crate::helpers::{dictionary, unmapped_line, TestDb};

/// (entry key, source kind) of each of `org`'s entries, oldest first.
async fn kinds(db: &Db, org: i64) -> Vec<(String, String)> {
    list(db.conn(), org, &EntryFilter::default(), None, 100)
        .await
        .unwrap()
        .0
        .into_iter()
        .map(|entry| (entry.entry_key, entry.source_kind))
        .collect()
}

async fn post_kinds(db: &Db, org: i64, lines: &[(&str, &str)]) -> PostOutcome {
    let lines = lines
        .iter()
        .map(|(key, kind)| pnl::ledger::NewLine {
            source_kind: (*kind).to_owned(),
            // A fixed time: the same lines posted again must read as unchanged, and
            // `unmapped_line`'s "now" moves on between two posts across a second's boundary.
            occurred_at: chrono::DateTime::from_timestamp(1_767_323_045, 0).unwrap(),
            ..unmapped_line(key, -100)
        })
        .collect();
    post(
        db,
        org,
        PostRequest {
            lines,
            ..PostRequest::default()
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn lines_name_their_kind_through_the_orgs_dictionary_and_survive_down_and_up() {
    let test_db = TestDb::fresh().await;
    let db = Db::connect(&test_db.url).await.unwrap();
    Migrator::up(db.conn(), None).await.unwrap();
    let acme = pnl::org::ensure(db.conn(), "acme").await.unwrap().id;
    let other = pnl::org::ensure(db.conn(), "other").await.unwrap().id;

    let lines = [
        ("a:1", "tiktok.finance.202501.statement_transactions"),
        ("a:2", "amazon.settlement.v2_flat_file"),
        ("a:3", "tiktok.finance.202501.statement_transactions"),
    ];
    assert_eq!(post_kinds(&db, acme, &lines).await.inserted, 3);
    post_kinds(
        &db,
        other,
        &[("b:1", "tiktok.finance.202501.statement_transactions")],
    )
    .await;
    let expected: Vec<(String, String)> = lines
        .iter()
        .map(|(key, kind)| ((*key).to_owned(), (*kind).to_owned()))
        .collect();
    assert_eq!(kinds(&db, acme).await, expected);
    assert_eq!(
        dictionary(&db, "source_kind", acme).await,
        [
            "amazon.settlement.v2_flat_file",
            "tiktok.finance.202501.statement_transactions"
        ]
    );
    // The other org's kind of the same name is its own row.
    assert_eq!(
        dictionary(&db, "source_kind", other).await,
        ["tiktok.finance.202501.statement_transactions"]
    );
    let ids = source_kind::Entity::find()
        .filter(source_kind::Column::Name.eq("tiktok.finance.202501.statement_transactions"))
        .all(db.conn())
        .await
        .unwrap();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0].id, ids[1].id);

    // The same lines again: nothing posted, no kind added.
    let again = post_kinds(&db, acme, &lines).await;
    assert_eq!(again.unchanged, 3);
    assert_eq!(dictionary(&db, "source_kind", acme).await.len(), 2);

    // Down (through this migration and every later one): the rows hold their names again and
    // the dictionary is gone.
    let later = Migrator::migrations()
        .iter()
        .rev()
        .position(|m| m.name() == "m20261207_000002_create_source_kind")
        .unwrap();
    Migrator::down(db.conn(), Some(u32::try_from(later).unwrap() + 1))
        .await
        .unwrap();
    let conn = db.conn();
    let backend = conn.get_database_backend();
    let texts: Vec<(String, String)> = conn
        .query_all(Statement::from_string(
            backend,
            "SELECT ledger_entry.entry_key, ledger_entry.source_kind FROM ledger_entry \
             ORDER BY ledger_entry.id",
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| {
            (
                row.try_get("", "entry_key").unwrap(),
                row.try_get::<String>("", "source_kind").unwrap(),
            )
        })
        .collect();
    assert_eq!(texts[..3], expected[..]);
    assert_eq!(texts.len(), 4);
    assert!(conn
        .query_one(Statement::from_string(
            backend,
            "SELECT source_kind.id FROM source_kind"
        ))
        .await
        .is_err());

    // Up again: every line, every name.
    Migrator::up(db.conn(), None).await.unwrap();
    assert_eq!(kinds(&db, acme).await, expected);
    assert_eq!(kinds(&db, other).await.len(), 1);
    db.close().await;
}
