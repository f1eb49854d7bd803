//! Fixture tests of the Amazon normalisers (fixtures in tests/fixtures/amazon/, of our own
//! making, in the real formats).

use std::collections::BTreeMap;

use super::finances::{normalize_events, normalize_groups};
use super::model::{Envelope, GroupsPayload};
use super::settlement::{looks_like, parse};
use crate::connectors::{Granularity, Line, Normalized};
use crate::ledger::mapping::FeeMapper;
use crate::ledger::FeeBucket;
use crate::money::{Currency, Money};

const US: &[u8] = include_bytes!("../../../../tests/fixtures/amazon/settlement_us.txt");
const DE: &[u8] = include_bytes!("../../../../tests/fixtures/amazon/settlement_de_cp1252.txt");
const JP: &[u8] = include_bytes!("../../../../tests/fixtures/amazon/settlement_jp_sjis.txt");
const GROUPS: &[u8] = include_bytes!("../../../../tests/fixtures/amazon/groups.json");
const PAGE1: &[u8] = include_bytes!("../../../../tests/fixtures/amazon/events_page1.json");
const EMPTY: &[u8] = include_bytes!("../../../../tests/fixtures/amazon/events_empty.json");
const PAGE3: &[u8] = include_bytes!("../../../../tests/fixtures/amazon/events_page3.json");
const ALL: &[u8] = include_bytes!("../../../../tests/fixtures/amazon/events_all_lists.json");

fn money(text: &str, currency: &str) -> Money {
    Money::parse(text, Currency::parse(currency).unwrap()).unwrap()
}

fn buckets(out: &Normalized) -> BTreeMap<FeeBucket, String> {
    let mut sums: BTreeMap<FeeBucket, Money> = BTreeMap::new();
    for line in &out.lines {
        let sum = sums
            .entry(line.bucket)
            .or_insert_with(|| Money::zero(line.amount.currency()));
        *sum = sum.checked_add(line.amount).unwrap();
    }
    sums.into_iter()
        .map(|(bucket, sum)| (bucket, sum.amount().to_string()))
        .collect()
}

fn total(out: &Normalized) -> Money {
    let currency = out.payouts[0].reported.currency();
    Money::checked_sum(out.lines.iter().map(|line| line.amount), currency).unwrap()
}

fn line<'a>(out: &'a Normalized, key_end: &str) -> &'a Line {
    out.lines
        .iter()
        .find(|line| line.entry_key.ends_with(key_end))
        .unwrap_or_else(|| panic!("no line ending {key_end}"))
}

fn group(index: usize) -> super::model::FinancialEventGroup {
    let page: Envelope<GroupsPayload> = serde_json::from_slice(GROUPS).unwrap();
    page.payload.unwrap().financial_event_group_list[index].clone()
}

fn api() -> Normalized {
    normalize_events(&group(0), &[PAGE1, EMPTY, PAGE3], &FeeMapper::defaults())
}

fn b(pairs: &[(FeeBucket, &str)]) -> BTreeMap<FeeBucket, String> {
    pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
}

#[test]
fn a_us_settlement_file_books_every_row_and_reconciles() {
    assert!(looks_like(US));
    let out = parse(US, "settlement_us.txt").unwrap();
    assert_eq!(out.rows, 27);
    assert_eq!(out.lines.len(), 26);
    assert!(out.failures.is_empty());
    let payout = &out.payouts[0];
    assert_eq!(payout.reference.external_id, "12345678901");
    assert_eq!(payout.reported, money("790.97", "USD"));
    assert!(payout.same_period);
    assert_eq!(
        payout.period_start.unwrap().to_rfc3339(),
        "2026-09-01T07:00:00+00:00"
    );
    assert_eq!(
        payout.paid_at.unwrap().to_rfc3339(),
        "2026-09-17T07:00:00+00:00"
    );
    assert_eq!(total(&out), payout.reported, "Σ lines = total-amount");
    use FeeBucket::*;
    assert_eq!(
        buckets(&out),
        b(&[
            (ProductSales, "1054.98"),
            (SellerDiscounts, "-4.00"),
            (ShippingIncome, "5.99"),
            (Refunds, "-19.99"),
            (PlatformCommission, "-154.95"),
            (RefundAdminFees, "-0.54"),
            (Fulfillment, "-10.58"),
            (Storage, "-12.34"),
            (ProgramFees, "-39.99"),
            (Advertising, "-25.00"),
            (Adjustments, "8.50"),
            (TaxesCollected, "83.28"),
            (TaxesRemitted, "-83.28"),
            (Reserves, "-10.00"),
            (Other, "-1.11"),
        ])
    );
    let unmapped: Vec<&str> = out
        .lines
        .iter()
        .filter(|line| !line.mapped)
        .map(|line| line.label.as_str())
        .collect();
    assert_eq!(unmapped, ["Mystery Platform Fee"]);
    // Units sold on the sale's principal, units returned on the refund's.
    let sale = line(&out, "sale:sku:MUG-BLUE:charge:principal");
    assert_eq!((sale.quantity, sale.granularity), (2, Granularity::Sku));
    assert_eq!(
        sale.sku.as_ref().unwrap().seller_sku.as_deref(),
        Some("MUG-BLUE")
    );
    assert_eq!(sale.order_id.as_deref(), Some("111-1111111-1111111"));
    let refund = line(&out, "refund:sku:MUG-BLUE:charge:principal");
    assert_eq!(
        (refund.quantity, refund.label.as_str()),
        (-1, "Refund:Principal")
    );
    assert_eq!(line(&out, "fee:commission").quantity, 0);
    assert_eq!(
        line(&out, "account:cost of advertising")
            .occurred_at
            .to_rfc3339(),
        "2026-09-08T00:00:00+00:00"
    );
    assert_eq!(out.listings.len(), 2);
}

#[test]
fn a_de_settlement_file_in_cp1252_with_decimal_commas() {
    let out = parse(DE, "settlement_de.txt").unwrap();
    let payout = &out.payouts[0];
    assert_eq!(payout.reported, money("863.32", "EUR"));
    assert_eq!(total(&out), payout.reported);
    use FeeBucket::*;
    assert_eq!(
        buckets(&out),
        b(&[
            (ProductSales, "1199.00"),
            (ShippingIncome, "4.99"),
            (Refunds, "-99.00"),
            (PlatformCommission, "-165.00"),
            (RefundAdminFees, "-2.97"),
            (Fulfillment, "-5.20"),
            (Advertising, "-45.00"),
            (Reserves, "-20.00"),
            (Other, "-3.50"),
        ])
    );
    let other = out.lines.iter().find(|l| !l.mapped).unwrap();
    assert_eq!(other.label, "Lagergebühr für Überbestand");
    assert_eq!(
        line(&out, "sale:sku:KANNE-ROT:charge:principal")
            .occurred_at
            .to_rfc3339(),
        "2026-09-03T10:15:30+00:00"
    );
    assert_eq!(
        payout.period_end.unwrap().to_rfc3339(),
        "2026-09-15T07:00:00+00:00"
    );
}

#[test]
fn a_jp_settlement_file_in_shift_jis() {
    let out = parse(JP, "settlement_jp.txt").unwrap();
    assert_eq!(out.payouts[0].reported, money("964", "JPY"));
    assert_eq!(total(&out), out.payouts[0].reported);
    assert!(out
        .lines
        .iter()
        .any(|l| l.label == "サービス料" && !l.mapped));
    assert_eq!(out.listings[0].channel_sku_id, "湯のみ-青");
    assert_eq!(line(&out, "charge:principal").amount, money("1980", "JPY"));
}

#[test]
fn a_bom_and_reordered_or_extra_columns_are_fine() {
    let text = std::str::from_utf8(US).unwrap();
    let mut rows: Vec<Vec<&str>> = text
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').collect())
        .collect();
    for row in &mut rows {
        row.swap(0, 14);
        row.push(if row[1] == "settlement-start-date" {
            "extra"
        } else {
            "x"
        });
    }
    let joined: Vec<String> = rows.iter().map(|r| r.join("\t")).collect();
    let bytes = [b"\xEF\xBB\xBF".as_slice(), joined.join("\n").as_bytes()].concat();
    let out = parse(&bytes, "reordered.txt").unwrap();
    assert_eq!(out, parse(US, "reordered.txt").unwrap());
}

#[test]
fn a_garbled_amount_is_refused_naming_row_column_and_value() {
    let text = std::str::from_utf8(US)
        .unwrap()
        .replacen("\t-5.40\t", "\t12,3,4\t", 1);
    let error = parse(text.as_bytes(), "garbled.txt").unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"garbled.txt: row 10, column amount: "12,3,4" is not an amount"#
    );
    let de = encoding_rs::WINDOWS_1252
        .decode(DE)
        .0
        .replacen("-179,85", "12,3,4", 1);
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&de);
    let error = parse(&bytes, "de.txt").unwrap_err().to_string();
    assert_eq!(
        error,
        r#"de.txt: row 5, column amount: "12,3,4" is not an amount"#
    );
    let text = std::str::from_utf8(US).unwrap().replacen(
        "2026-09-05 08:00:00 UTC",
        "2026-13-45 08:00:00 UTC",
        1,
    );
    let error = parse(text.as_bytes(), "date.txt").unwrap_err().to_string();
    assert!(
        error.contains(
            r#"row 12, column posted-date-time: "2026-13-45 08:00:00 UTC" is not a date"#
        ),
        "{error}"
    );
}

#[test]
fn a_truncated_file_is_refused() {
    let cut = &US[..US.len() - 40];
    let error = parse(cut, "cut.txt").unwrap_err().to_string();
    assert!(error.starts_with("cut.txt: row 28, column "), "{error}");
    assert!(error.contains("truncated"), "{error}");
    let header_only = US.split(|&b| b == b'\n').next().unwrap();
    let error = parse(header_only, "header.txt").unwrap_err().to_string();
    assert!(error.contains("no summary row"), "{error}");
}

#[test]
fn an_undecodable_file_is_refused_naming_the_byte_offset() {
    let mut bytes = US[..400].to_vec();
    bytes.extend_from_slice(b"\x81\xFF\x8D\n");
    let error = parse(&bytes, "binary.txt").unwrap_err().to_string();
    assert!(error.contains("invalid byte at offset 400"), "{error}");
    assert!(!looks_like(b"order-id\tsku\n1\t2\n"));
    assert!(parse(b"order-id\tsku\n", "other.txt").is_err());
}

#[test]
fn groups_are_settlement_payouts_and_an_open_group_is_open() {
    let out = normalize_groups(GROUPS);
    assert_eq!(out.payouts.len(), 2);
    let closed = &out.payouts[0];
    assert_eq!(closed.reference.external_id, "FEG-US-0901");
    assert_eq!(closed.reported, money("790.97", "USD"));
    assert_eq!(closed.status.as_deref(), Some("SUCCEEDED"));
    assert_eq!(
        closed.paid_at.unwrap().to_rfc3339(),
        "2026-09-17T07:00:00+00:00"
    );
    assert_eq!(out.payouts[1].status.as_deref(), Some("OPEN"));
    assert!(out.payouts.iter().all(|p| p.same_period));
    let bad = normalize_groups(
        br#"{"errors":[{"code":"InvalidInput","message":"Date range is invalid."}]}"#,
    );
    assert_eq!(
        bad.failures[0].reason,
        "Amazon reported InvalidInput: Date range is invalid."
    );
}

#[test]
fn the_api_pages_of_a_group_reconcile_to_its_total() {
    let out = api();
    assert!(out.failures.is_empty(), "{:?}", out.failures);
    assert_eq!(total(&out), money("790.97", "USD"));
    assert_eq!(out.payouts[0].reference.external_id, "FEG-US-0901");
    let service = line(&out, "account:subscription");
    assert_eq!(
        service.occurred_at.to_rfc3339(),
        "2026-09-01T07:00:00+00:00"
    );
}

/// What makes two lines the same posting, apart from which payout id names them.
fn content(out: &Normalized) -> BTreeMap<String, String> {
    out.lines
        .iter()
        .map(|l| {
            (
                l.entry_key.clone(),
                format!(
                    "{:?}|{:?}|{}|{}|{}|{}|{}|{}",
                    l.order_id,
                    l.sku.as_ref().map(|s| &s.channel_sku_id),
                    l.bucket,
                    l.label,
                    l.mapped,
                    l.amount,
                    l.quantity,
                    l.occurred_at
                ),
            )
        })
        .collect()
}

#[test]
fn the_api_and_the_settlement_file_describe_the_same_money_with_the_same_keys() {
    let file = parse(US, "settlement_us.txt").unwrap();
    assert_eq!(content(&api()), content(&file));
}

#[test]
fn every_supported_event_list_is_read_and_an_unknown_one_is_listed() {
    let out = normalize_events(&group(0), &[ALL], &FeeMapper::defaults());
    assert_eq!(out.failures.len(), 1, "{:?}", out.failures);
    assert_eq!(
        out.failures[0].position,
        "PerformanceBondRefundEventList[0]"
    );
    let label = |key: &str| {
        let l = line(&out, key);
        (l.label.clone(), l.bucket, l.amount.amount().to_string())
    };
    use FeeBucket::*;
    assert_eq!(
        label("chargeback:sku:S5:charge:principal"),
        ("Chargeback:Principal".into(), Penalties, "-30.00".into())
    );
    assert_eq!(
        label("chargeback:sku:S5:charge:giftwrap"),
        ("Chargeback:Giftwrap".into(), Penalties, "-1.00".into())
    );
    assert_eq!(
        label("claim:sku:S4:charge:principal"),
        ("GuaranteeClaim:Principal".into(), Refunds, "-12.00".into())
    );
    assert_eq!(
        label("account:refund for advertiser"),
        ("Refund for Advertiser".into(), Advertising, "3.00".into())
    );
    assert_eq!(
        label("account:lightningdealfee"),
        ("LightningDealFee".into(), ProgramFees, "-150.00".into())
    );
    assert_eq!(
        label("account:couponredemptionfee"),
        ("CouponRedemptionFee".into(), ProgramFees, "-26.00".into())
    );
    assert_eq!(
        label("sale:shipment:fee:fbaperorderfulfillmentfee"),
        (
            "FBAPerOrderFulfillmentFee".into(),
            Fulfillment,
            "-1.00".into()
        )
    );
    assert_eq!(
        line(&out, "sale:shipment:fee:fbaperorderfulfillmentfee").granularity,
        Granularity::Order
    );
    assert_eq!(
        label("retro:order:withheld:marketplacefacilitatortax-principal").1,
        TaxesRemitted
    );
    assert_eq!(label("account:chargerefund").2, "39.99");
    assert_eq!(label("account:liquidations").1, Adjustments);
    assert_eq!(label("account:imagingservicesfee").1, ProgramFees);
    assert!(out
        .lines
        .iter()
        .any(|l| l.label == "StoredValueCardRevenue" && !l.mapped));
}

#[test]
fn json_amounts_are_read_exactly() {
    let page = br#"{"payload":{"FinancialEvents":{"AdjustmentEventList":[
        {"AdjustmentType":"SellerRewards","PostedDate":"2026-09-02T00:00:00Z","AdjustmentAmount":{"CurrencyCode":"USD","CurrencyAmount":9007199254740993.01}},
        {"AdjustmentType":"SellerRewards","PostedDate":"2026-09-02T00:00:00Z","AdjustmentAmount":{"CurrencyCode":"USD","CurrencyAmount":"0.10"}},
        {"AdjustmentType":"SellerRewards","PostedDate":"2026-09-02T00:00:00Z","AdjustmentAmount":{"CurrencyCode":"USD","CurrencyAmount":1.5E2}},
        {"AdjustmentType":"SellerRewards","PostedDate":"2026-09-02T00:00:00Z","AdjustmentAmount":{"CurrencyCode":"USD","CurrencyAmount":"ten"}}
    ]}}}"#;
    let out = normalize_events(&group(0), &[page], &FeeMapper::defaults());
    let amounts: Vec<String> = out.lines.iter().map(|l| l.amount.to_string()).collect();
    assert_eq!(
        amounts,
        ["9007199254740993.01 USD", "0.10 USD", "150.00 USD"]
    );
    assert_eq!(out.failures.len(), 1);
    assert_eq!(out.failures[0].position, "AdjustmentEventList[3]");
    assert_eq!(
        line(&out, "account:sellerrewards#3").amount,
        money("150", "USD")
    );
}
