//! Webhook bodies (after the signature check) on a real database where two orgs connected the
//! shop the events name: a body that is refused writes nothing; one that is accepted is a
//! replay the second time and changes nothing.

use pnl::connectors::catalog;
use pnl::connectors::tiktok::webhooks::receive;
use pnl::ledger::Channel;
use proptest::prelude::*;
use proptest::sample::Index;

use super::mutate::{check, edit, edit_json, long_cases, Case};
use super::seeds::Seed;
use super::{refused_as_bad_input, Harness, Snapshot};
use crate::helpers::TestApp;

const SHOP: &str = "7494726673780148744";

const BODIES: &[Seed] = &[
    Seed {
        name: "order status (the published example)",
        text: r#"{"type":1,"shop_id":"7494726673780148744","timestamp":1664095733,"data":{"order_id":"576684019603311365","order_status":"AWAITING_SHIPMENT","update_time":1664095610}}"#,
    },
    Seed {
        name: "return",
        text: r#"{"type":12,"tts_notification_id":"7327112393057371910","shop_id":7494726673780148744,"timestamp":1664095733,"data":{"order_id":576684019603311365,"return_id":"4035318504086671399","return_status":"RETURN_OR_REFUND_REQUEST_PENDING"}}"#,
    },
    Seed {
        name: "deauthorisation",
        text: r#"{"type":6,"tts_notification_id":"7327112393057371911","shop_id":"7494726673780148744","timestamp":1664095733,"data":{"message":"The seller deauthorized the app","deauthorization_time":1664095700}}"#,
    },
    Seed {
        name: "authorisation expiring",
        text: r#"{"type":7,"shop_id":"7494726673780148744","timestamp":1664095733,"data":{"message":"expires soon","expiration_time":1666687733}}"#,
    },
    Seed {
        name: "another shop",
        text: r#"{"type":1,"shop_id":"1","timestamp":1664095733,"data":{"order_id":"1"}}"#,
    },
];

fn body() -> impl Strategy<Value = Case> {
    prop_oneof![
        8 => (any::<Index>(), edit()).prop_map(|(seed, edit)| {
            let seed = seed.get(BODIES);
            Case { seed: seed.name, bytes: edit_json(seed, &edit), edit }
        }),
        1 => prop::collection::vec(any::<u8>(), 0..512).prop_map(|bytes| Case {
            seed: "random bytes",
            edit: super::mutate::Edit::None,
            bytes,
        }),
    ]
}

async fn two_orgs_with_the_shop() -> TestApp {
    let app = TestApp::spawn().await;
    for org in ["acme", "globex"] {
        let org = app.org_id(org).await;
        catalog::ensure_shop(
            app.db.conn(),
            org,
            Channel::TikTokShop,
            SHOP,
            "Shop",
            Some("USD"),
        )
        .await
        .unwrap();
    }
    app
}

fn property(cases: u32, per_db: u32) {
    let harness = Harness::new(per_db, two_orgs_with_the_shop);
    check(cases, body(), |case| {
        harness.run(async |app: &TestApp| {
            let before = Snapshot::take(&app.db).await.unwrap();
            let first = receive(&app.state, &case.bytes).await;
            harness.tally(&first);
            let after = Snapshot::take(&app.db)
                .await
                .map_err(|e| TestCaseError::fail(format!("stored rows cannot be read: {e}")))?;
            match first {
                Err(error) => {
                    prop_assert!(
                        before == after,
                        "refused ({error}) but wrote:{}",
                        before.diff(&after)
                    );
                    refused_as_bad_input(&error)?;
                }
                Ok(delivery) => {
                    let again = receive(&app.state, &case.bytes).await.map_err(|e| {
                        TestCaseError::fail(format!("accepted once, then refused: {e}"))
                    })?;
                    prop_assert_eq!(
                        (again.shops, again.stored, again.replayed),
                        (delivery.shops, 0, delivery.shops),
                        "a repeated delivery is a replay"
                    );
                    let repeated = Snapshot::take(&app.db).await.unwrap();
                    prop_assert!(
                        after.content() == repeated.content(),
                        "a replay changed the database:{}",
                        after.diff(&repeated)
                    );
                }
            }
            Ok(())
        })
    });
}

#[test]
fn a_broken_webhook_body_writes_nothing_and_a_replay_changes_nothing() {
    property(80, 1_000);
}

#[test]
#[ignore = "long fuzz run: cargo test --release --test api -- --ignored fuzz"]
fn fuzz_webhook_bodies_long() {
    property(long_cases(5_000), 500);
}

/// Found by this fuzz on PostgreSQL: a NUL character (which PostgreSQL cannot store in text)
/// ended a delivery with an INTERNAL error, after the event was stored when it sat in a
/// deauthorisation's message. Refused as bad input on both backends, with nothing stored.
#[tokio::test]
async fn a_body_with_a_nul_character_is_refused_and_stores_nothing() {
    let app = two_orgs_with_the_shop().await;
    for body in [
        r#"{"type":6,"shop_id":"7494726673780148744","data":{"message":"de\u0000authorised"}}"#,
        r#"{"type":1,"shop_id":"7494726673780148744\u0000","data":{"order_id":"1"}}"#,
        r#"{"type":7,"tts_notification_id":"n\u0000","shop_id":"7494726673780148744"}"#,
    ] {
        let before = Snapshot::take(&app.db).await.unwrap();
        let error = receive(&app.state, body.as_bytes()).await.unwrap_err();
        let after = Snapshot::take(&app.db).await.unwrap();
        assert!(before == after, "{body} wrote:{}", before.diff(&after));
        assert!(
            refused_as_bad_input(&error).is_ok(),
            "{body}: {} {error}",
            error.code()
        );
    }
}
