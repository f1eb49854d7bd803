//! Statement mappings on fixtures of our own making (tests/fixtures/statements): the Walmart
//! recon report with the built-in mapping, an Etsy-style cp1252 file with a mapping file, bad
//! cells, missing columns and the preview.

use super::*;
use crate::ledger::{Channel, FeeBucket};
use crate::money::Money;

const WALMART: &[u8] = include_bytes!("../../../tests/fixtures/statements/walmart_recon.csv");
const ETSY: &[u8] = include_bytes!("../../../tests/fixtures/statements/etsy_de_2026-10.csv");
const ETSY_MAPPING: &str = include_str!("../../../tests/fixtures/statements/etsy_de.toml");

fn skipping() -> StatementOptions {
    StatementOptions {
        skip_bad_rows: true,
        shop: None,
    }
}

fn walmart() -> Checked {
    builtin::find("walmart-recon").unwrap().unwrap()
}

fn sum(booked: &Booked) -> Money {
    Money::checked_sum(
        booked.normalized.lines.iter().map(|line| line.amount),
        booked.currency,
    )
    .unwrap()
}

fn reported(booked: &Booked) -> Money {
    booked.reported.as_ref().unwrap().reported
}

fn bucket_total(booked: &Booked, bucket: FeeBucket) -> String {
    Money::checked_sum(
        booked
            .normalized
            .lines
            .iter()
            .filter(|line| line.bucket == bucket)
            .map(|line| line.amount),
        booked.currency,
    )
    .unwrap()
    .amount()
    .to_string()
}

#[test]
fn the_walmart_report_books_every_row_and_adds_up_to_total_payable() {
    let (booked, _) = read_statement(
        WALMART,
        "walmart_recon.csv",
        &walmart(),
        &FeeMapper::defaults(),
        &StatementOptions::default(),
    )
    .unwrap();
    assert_eq!(booked.normalized.rows, 16);
    assert_eq!(
        booked.normalized.lines.len(),
        15,
        "the summary row is no line"
    );
    assert_eq!(
        booked.payout.external_id,
        "walmart-recon:2026-10-01..2026-10-14"
    );
    assert_eq!(reported(&booked).amount().to_string(), "43.65");
    assert_eq!(sum(&booked), reported(&booked), "zero residual");
    assert_eq!(bucket_total(&booked, FeeBucket::ProductSales), "74.47");
    assert_eq!(
        bucket_total(&booked, FeeBucket::PlatformCommission),
        "-8.18"
    );
    assert_eq!(bucket_total(&booked, FeeBucket::TaxesCollected), "4.36");
    assert_eq!(bucket_total(&booked, FeeBucket::Refunds), "-19.99");
    assert_eq!(bucket_total(&booked, FeeBucket::Adjustments), "-13.00");
    assert!(booked.normalized.lines.iter().all(|line| line.mapped));
    let first = &booked.normalized.lines[0];
    assert_eq!(first.order_id.as_deref(), Some("108899411223344"));
    assert_eq!(
        first.sku.as_ref().map(|s| s.channel_sku_id.as_str()),
        Some("TSHIRT-BLK-M")
    );
    assert_eq!(first.quantity, 2);
    assert_eq!(first.label, "Sale / Product Price");
    assert_eq!(
        first.entry_key,
        "stmt:walmart:TK-5001|Sale|1|Product Price|Purchase"
    );
    assert_eq!(booked.normalized.listings.len(), 2);
    let keys: std::collections::HashSet<_> = booked
        .normalized
        .lines
        .iter()
        .map(|line| &line.entry_key)
        .collect();
    assert_eq!(keys.len(), 15, "every line has its own key");
    assert_eq!(walmart().channel, Channel::Walmart);
}

#[test]
fn an_org_override_wins_over_the_mapping_table_and_unlisted_labels_go_to_other() {
    let text = String::from_utf8(WALMART.to_vec()).unwrap().replace(
        "Lost Inventory Reimbursement,,,,,12.00,Fee/Reimbursement",
        "Lost Inventory Reimbursement,,,,,12.00,WFS Reimbursement",
    );
    let (booked, _) = read_statement(
        text.as_bytes(),
        "w.csv",
        &walmart(),
        &FeeMapper::defaults(),
        &StatementOptions::default(),
    )
    .unwrap();
    let line = booked
        .normalized
        .lines
        .iter()
        .find(|line| line.label == "Adjustment / WFS Reimbursement")
        .unwrap();
    assert_eq!((line.bucket, line.mapped), (FeeBucket::Other, false));
}

#[test]
fn a_cp1252_file_with_semicolons_decimal_commas_and_gross_fee_net_columns() {
    let mapping = StatementMapping::parse(ETSY_MAPPING, "etsy_de").unwrap();
    let (booked, text) = read_statement(
        ETSY,
        "etsy_de_2026-10.csv",
        &mapping,
        &FeeMapper::defaults(),
        &StatementOptions::default(),
    )
    .unwrap();
    assert!(text.contains("Übertopf Grün"), "decoded from cp1252");
    assert_eq!(booked.currency.as_str(), "EUR");
    assert_eq!(booked.payout.external_id, "etsy-de:etsy_de_2026-10");
    assert_eq!(reported(&booked).amount().to_string(), "1161.14");
    assert_eq!(sum(&booked), reported(&booked));
    assert_eq!(bucket_total(&booked, FeeBucket::ProductSales), "1273.90");
    assert_eq!(
        bucket_total(&booked, FeeBucket::PlatformCommission),
        "-81.19"
    );
    assert_eq!(bucket_total(&booked, FeeBucket::Other), "-1.50");
    let unmapped: Vec<&str> = booked
        .normalized
        .lines
        .iter()
        .filter(|line| !line.mapped)
        .map(|line| line.label.as_str())
        .collect();
    assert_eq!(unmapped, ["Etsy Ads"]);
    assert_eq!(mapping.channel, Channel::Other);
    assert_eq!(book::shop_key(&mapping), "etsy");
}

#[test]
fn a_bad_amount_refuses_the_file_naming_row_column_and_value() {
    let text = String::from_utf8(WALMART.to_vec())
        .unwrap()
        .replacen(",-2.18,", ",-2.1x,", 1);
    let error = read_statement(
        text.as_bytes(),
        "bad.csv",
        &walmart(),
        &FeeMapper::defaults(),
        &StatementOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("bad.csv"), "{error}");
    assert!(
        error.contains("row 9, column \"Amount\": \"-2.1x\" is not an amount"),
        "{error}"
    );

    // The same row of the same file with LF line ends.
    let lf = text.replace("\r\n", "\n");
    let error = read_statement(
        lf.as_bytes(),
        "bad.csv",
        &walmart(),
        &FeeMapper::defaults(),
        &StatementOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("row 9, column \"Amount\""), "{error}");

    // With skip_bad_rows the rest is booked and the row listed; the residual shows it.
    let (booked, _) = read_statement(
        text.as_bytes(),
        "bad.csv",
        &walmart(),
        &FeeMapper::defaults(),
        &skipping(),
    )
    .unwrap();
    assert_eq!(booked.normalized.lines.len(), 14);
    assert_eq!(booked.skipped.len(), 1);
    assert_eq!(booked.skipped[0].row, 9);
    assert_eq!(booked.skipped[0].value, "-2.1x");
    let residual = reported(&booked).checked_sub(sum(&booked)).unwrap();
    assert_eq!(residual.amount().to_string(), "-2.18");
}

#[test]
fn a_mapping_naming_a_column_the_file_lacks_is_refused_before_any_row() {
    let toml = ETSY_MAPPING.replace("sku = \"Artikelnummer\"", "sku = \"SKU-Nummer\"");
    let mapping = StatementMapping::parse(&toml, "etsy_de").unwrap();
    let error = read_statement(
        ETSY,
        "e.csv",
        &mapping,
        &FeeMapper::defaults(),
        &StatementOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("\"SKU-Nummer\" (rows.sku)"),
        "names the column and the key: {error}"
    );
}

#[test]
fn unknown_keys_and_vocabulary_are_refused_when_the_mapping_is_read() {
    let unknown = ETSY_MAPPING.replace("[rows]\n", "[rows]\nskus = \"x\"\n");
    let error = StatementMapping::parse(&unknown, "m")
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown field `skus`"), "{error}");
    let bucket = ETSY_MAPPING.replace("\"PROGRAM_FEES\"", "\"LISTING\"");
    let error = StatementMapping::parse(&bucket, "m")
        .unwrap_err()
        .to_string();
    assert!(error.contains("\"LISTING\" is not a fee bucket"), "{error}");
    let other = ETSY_MAPPING.replace("name = \"Etsy\"\n", "");
    let error = StatementMapping::parse(&other, "m")
        .unwrap_err()
        .to_string();
    assert!(error.contains("channel.name is required"), "{error}");
}

#[test]
fn the_preview_shows_the_booking_and_the_payout_assertion() {
    let (booked, _) = read_statement(
        WALMART,
        "w.csv",
        &walmart(),
        &FeeMapper::defaults(),
        &StatementOptions::default(),
    )
    .unwrap();
    let text = check::preview(&booked, 3);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[1],
        "3\t2026-10-03\t108899411223344\tTSHIRT-BLK-M\tSale / Product Price → PRODUCT_SALES\t39.98 USD\tstmt:walmart:TK-5001|Sale|1|Product Price|Purchase"
    );
    assert_eq!(lines[4], "… 12 more line(s)");
    assert_eq!(
        lines[5],
        "payout walmart-recon:2026-10-01..2026-10-14: reported 43.65 USD, lines 43.65 USD (15 line(s) from 16 row(s)), residual 0.00"
    );
}

#[test]
fn the_readme_example_mapping_parses() {
    let readme = include_str!("../../../README.md");
    let from = readme.find("A mapping, every key shown").unwrap();
    let block = &readme[from..];
    let start = block.find("```toml\n").unwrap() + "```toml\n".len();
    let end = block[start..].find("```").unwrap();
    let mapping = StatementMapping::parse(&block[start..start + end], "readme").unwrap();
    assert_eq!(mapping.display, "Etsy");
    assert_eq!(mapping.delimiter, Some(b';'));
    assert_eq!(mapping.rules.len(), 2);
    assert!(mapping.mapping.rows.status.is_some());
}

#[test]
fn a_tab_separated_walmart_export_with_other_amount_types_books_through_the_patterns() {
    let text = String::from_utf8(WALMART.to_vec())
        .unwrap()
        .replace(',', "\t")
        .replace("Product Tax\t", "Product tax withheld\t")
        .replace(
            "Walmart Shipping Label Fee\t\t\t\t\t-25.00\tFee/Reimbursement",
            "Sponsored Products\t\t\t\t\t-25.00\tSEM Marketing Fee",
        );
    let (booked, _) = read_statement(
        text.as_bytes(),
        "w.tsv",
        &walmart(),
        &FeeMapper::defaults(),
        &StatementOptions::default(),
    )
    .unwrap();
    assert_eq!(sum(&booked), reported(&booked));
    assert_eq!(bucket_total(&booked, FeeBucket::TaxesRemitted), "4.36");
    assert_eq!(bucket_total(&booked, FeeBucket::Advertising), "-25.00");
    let line = booked
        .normalized
        .lines
        .iter()
        .find(|line| line.bucket == FeeBucket::Advertising)
        .unwrap();
    assert_eq!(
        line.label, "Adjustment / SEM Marketing Fee",
        "stored as written"
    );
    assert!(booked.normalized.lines.iter().all(|line| line.mapped));
}

#[test]
fn footer_rows_named_in_rows_skip_and_rows_without_an_amount_are_not_booked() {
    let text =
        encoding_rs::WINDOWS_1252.decode(ETSY).0.into_owned() + ";Summe;;;;;;1.161,14;;;;\r\n";
    let bytes = encoding_rs::WINDOWS_1252.encode(&text).0.into_owned();
    let plain = StatementMapping::parse(ETSY_MAPPING, "etsy_de").unwrap();
    let error = read_statement(
        &bytes,
        "e.csv",
        &plain,
        &FeeMapper::defaults(),
        &StatementOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("row 11, column \"Datum\": \"\" is not a date"),
        "{error}"
    );
    let toml = ETSY_MAPPING.replace(
        "key = \"Transaktions-ID\"",
        "key = \"Transaktions-ID\"\nskip = [{ column = \"Typ\", equals = \"summe\" }]",
    );
    let mapping = StatementMapping::parse(&toml, "etsy_de").unwrap();
    let (booked, _) = read_statement(
        &bytes,
        "e.csv",
        &mapping,
        &FeeMapper::defaults(),
        &StatementOptions::default(),
    )
    .unwrap();
    assert_eq!(booked.ignored, 1);
    assert_eq!(sum(&booked), reported(&booked));

    // Walmart: a row with a blank amount carries no money.
    let walmart_text = String::from_utf8(WALMART.to_vec())
        .unwrap()
        .replacen(",-2.18,", ",,", 1);
    let (booked, _) = read_statement(
        walmart_text.as_bytes(),
        "w.csv",
        &walmart(),
        &FeeMapper::defaults(),
        &StatementOptions::default(),
    )
    .unwrap();
    assert_eq!((booked.normalized.lines.len(), booked.ignored), (14, 1));
}

#[test]
fn a_cell_of_dashes_is_empty() {
    let text = encoding_rs::WINDOWS_1252
        .decode(ETSY)
        .0
        .replace(";-0,18;;-0,18;", ";-0,18;--;-0,18;");
    assert!(text.contains(";--;"));
    let bytes = encoding_rs::WINDOWS_1252.encode(&text).0.into_owned();
    let mapping = StatementMapping::parse(ETSY_MAPPING, "etsy_de").unwrap();
    let (booked, _) = read_statement(
        &bytes,
        "e.csv",
        &mapping,
        &FeeMapper::defaults(),
        &StatementOptions::default(),
    )
    .unwrap();
    assert_eq!(sum(&booked), reported(&booked));
}

#[test]
fn without_a_total_column_the_lines_go_to_a_payout_that_reports_nothing() {
    let toml = ETSY_MAPPING.replace("total = \"Netto\"\n", "");
    let toml = toml.replace(
        "summary_row = { column = \"Typ\", equals = \"Saldo\" }\n",
        "",
    );
    let toml = toml.replace(
        "key = \"Transaktions-ID\"",
        "key = \"Transaktions-ID\"\nskip = [{ column = \"Typ\", equals = \"Saldo\" }]",
    );
    let mapping = StatementMapping::parse(&toml, "etsy_de").unwrap();
    let (booked, _) = read_statement(
        ETSY,
        "etsy_de_2026-10.csv",
        &mapping,
        &FeeMapper::defaults(),
        &StatementOptions::default(),
    )
    .unwrap();
    assert!(booked.reported.is_none());
    assert!(booked.normalized.payouts.is_empty());
    assert_eq!(booked.payout.external_id, "etsy-de:etsy_de_2026-10");
    assert_eq!(sum(&booked).amount().to_string(), "1161.14");
    assert!(check::preview(&booked, 1).contains("no reported total"));
}

mod garbled {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Any one byte of the Walmart report replaced by any byte: never a panic; either a
        /// refusal naming the file, or a booking whose lines and payout are consistent.
        #[test]
        fn a_garbled_report_is_refused_or_booked_never_half_read(at in 0..WALMART.len(), byte in any::<u8>()) {
            let mut bytes = WALMART.to_vec();
            bytes[at] = byte;
            match read_statement(&bytes, "g.csv", &walmart(), &FeeMapper::defaults(), &StatementOptions::default()) {
                Err(error) => prop_assert!(error.to_string().starts_with("g.csv"), "{}", error),
                Ok((booked, _)) => {
                    prop_assert_eq!(booked.normalized.lines.len(), booked.line_rows.len());
                    prop_assert!(booked.normalized.lines.iter().all(|line| line.amount.currency() == booked.currency));
                }
            }
        }
    }
}

#[test]
fn a_nul_character_is_refused_with_its_line_even_when_skipping_bad_rows() {
    let text = String::from_utf8(WALMART.to_vec()).unwrap();
    let broken = text.replacen("TSHIRT-BLK-M", "TSHIRT\0BLK-M", 1);
    for options in [StatementOptions::default(), skipping()] {
        let error = read_statement(
            broken.as_bytes(),
            "recon.csv",
            &walmart(),
            &FeeMapper::defaults(),
            &options,
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("recon.csv (mapping walmart-recon): line 3 holds a NUL character"),
            "{error}"
        );
    }
}
