//! The Amazon generator's invariants and the settlement files' formats.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::settlement::{self, HEADER};
use super::truth::AmazonWorld;
use super::world::{Event, Kind};
use super::AmazonSandboxConfig;

fn world() -> AmazonWorld {
    let today = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    AmazonWorld::new(AmazonSandboxConfig::default(), 7, today)
}

#[test]
fn closed_groups_total_the_sum_of_their_events_and_the_last_is_open() {
    let w = world();
    for seller in w.sellers() {
        let groups = &seller.groups;
        assert_eq!(groups.len(), 7, "90 days in 14-day groups");
        assert!(groups.last().unwrap().open);
        assert!(groups[..groups.len() - 1].iter().all(|g| !g.open));
        for g in groups {
            assert_eq!(g.total, g.events.iter().map(Event::total).sum::<i64>());
            assert!(g
                .events
                .iter()
                .all(|e| e.posted >= g.start && e.posted < g.end));
        }
        for pair in groups.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
        }
        let kinds = |k: Kind| {
            groups
                .iter()
                .flat_map(|g| &g.events)
                .filter(|e| e.kind == k)
                .count()
        };
        for kind in [
            Kind::Shipment,
            Kind::Refund,
            Kind::ServiceFee,
            Kind::Ads,
            Kind::Reimbursement,
            Kind::Reserve,
        ] {
            assert!(kinds(kind) > 0, "{kind:?} generated");
        }
        let labels: Vec<&str> = groups
            .iter()
            .flat_map(|g| &g.events)
            .flat_map(|e| &e.components)
            .map(|c| c.label)
            .collect();
        for label in [
            "RefundCommission",
            "SellerCentralNewProgramFee",
            "FBAStorageFee",
            "FBAPerUnitFulfillmentFee",
        ] {
            assert!(labels.contains(&label), "{label}");
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_world_and_another_seed_another() {
    let (a, b) = (world(), world());
    let ids = |w: &AmazonWorld| {
        w.groups("A3SANDB0XUS001")
            .iter()
            .map(|g| (g.id.clone(), g.total))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&a), ids(&b));
    let today = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    let c = AmazonWorld::new(AmazonSandboxConfig::default(), 8, today);
    assert_ne!(ids(&a), ids(&c));
}

fn parse_amount(text: &str) -> Decimal {
    text.replace(',', ".").parse().unwrap()
}

#[test]
fn a_settlement_file_summary_is_the_sum_of_its_rows_and_equals_the_group() {
    let w = world();
    for seller in w.sellers() {
        for g in seller.groups.iter().filter(|g| !g.open) {
            let rows = settlement::rows(g, &seller.spec);
            let summary = parse_amount(&rows[0][4]);
            let sum: Decimal = rows[1..].iter().map(|r| parse_amount(&r[14])).sum();
            assert_eq!(summary, sum, "group {}", g.id);
            assert_eq!(summary, Decimal::new(g.total, 2));
            assert!(rows[1..]
                .iter()
                .all(|r| r[4].is_empty() && r[0] == g.settlement_id));
            assert_ne!(g.settlement_id, g.id);
        }
    }
}

#[test]
fn the_us_file_is_utf8_with_us_dates_and_the_de_file_cp1252_with_decimal_commas() {
    let w = world();
    let us = &w.sellers()[0];
    let g = &us.groups[0];
    let text = String::from_utf8(settlement::file(g, &us.spec)).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), HEADER.join("\t"));
    let summary: Vec<&str> = lines.next().unwrap().split('\t').collect();
    assert!(
        summary[1].ends_with(" UTC") && summary[1].contains('-'),
        "{}",
        summary[1]
    );
    let order: Vec<&str> = text
        .lines()
        .find(|l| l.contains("\tOrder\t"))
        .unwrap()
        .split('\t')
        .collect();
    assert_eq!(order[16].len(), 8, "MM/DD/YY: {}", order[16]);
    assert!(order[14].contains('.') || !order[14].contains(','));

    let de = &w.sellers()[1];
    let bytes = settlement::file(&de.groups[0], &de.spec);
    assert!(std::str::from_utf8(&bytes).is_err(), "cp1252, not UTF-8");
    assert!(bytes.contains(&0xD6), "Ö as one cp1252 byte");
    let (text, _, malformed) = encoding_rs::WINDOWS_1252.decode(&bytes);
    assert!(!malformed);
    let summary: Vec<&str> = text.lines().nth(1).unwrap().split('\t').collect();
    assert!(summary[4].contains(','), "decimal comma: {}", summary[4]);
    assert_eq!(&summary[1][2..3], ".", "dd.mm.yyyy: {}", summary[1]);
    let order: Vec<&str> = text
        .lines()
        .find(|l| l.contains("\tOrder\t"))
        .unwrap()
        .split('\t')
        .collect();
    assert!(
        order[17].ends_with(" UTC") && &order[17][2..3] == ".",
        "{}",
        order[17]
    );
}

#[test]
fn some_seller_skus_match_the_tiktok_catalogue_up_to_case_and_whitespace() {
    let tiktok = [
        "SKU-TEE-BLK-M",
        "SKU-SERUM-30",
        "SKU-MASK-5PK",
        "SKU-YOGA-PRP",
    ];
    let listings = super::catalog::listings();
    for sku in tiktok {
        assert!(
            listings
                .iter()
                .any(|l| l.seller_sku != sku && l.seller_sku.trim().eq_ignore_ascii_case(sku)),
            "{sku}"
        );
    }
}

#[test]
fn documents_alternate_gzip_and_plain_and_hold_the_settlement_file() {
    let w = world();
    let groups = w.groups("A3SANDB0XUS001");
    let first = groups[0].report_document_id.clone().unwrap();
    let gz = w.document_bytes(&first).unwrap();
    assert_eq!(&gz[..2], &[0x1f, 0x8b]);
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut plain).unwrap();
    assert_eq!(plain, w.settlement_file(&groups[0].id).unwrap());
    let second = groups[1].report_document_id.clone().unwrap();
    assert_eq!(
        w.document_bytes(&second).unwrap(),
        w.settlement_file(&groups[1].id).unwrap()
    );
    assert!(groups.last().unwrap().report_document_id.is_none());
}
