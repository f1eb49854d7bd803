//! The ledger's closed vocabularies as `ledger_entry` stores them since
//! `m20261210_000001_code_ledger_vocabularies`: a `SMALLINT` code per channel, fee bucket and
//! entry status instead of its text (the sums tables and the API keep the text). One definition,
//! read by the server's enums (`pnl::ledger::{Channel, FeeBucket, EntryStatus}`, whose tests hold
//! them to it), the conversion and the SQL that turns codes back into text.
//!
//! Append only: a code, once given, is never changed or reused — stored rows carry it.

/// A vocabulary: `(code, text)` pairs.
pub type Vocabulary = &'static [(i16, &'static str)];

/// `ledger_entry.channel`.
pub const CHANNELS: Vocabulary = &[
    (1, "TIKTOK_SHOP"),
    (2, "AMAZON"),
    (3, "SHOPIFY"),
    (4, "WALMART"),
    (5, "OTHER"),
];

/// `ledger_entry.bucket`.
pub const BUCKETS: Vocabulary = &[
    (1, "PRODUCT_SALES"),
    (2, "SELLER_DISCOUNTS"),
    (3, "SHIPPING_INCOME"),
    (4, "REFUNDS"),
    (5, "PLATFORM_COMMISSION"),
    (6, "TRANSACTION_FEES"),
    (7, "REFUND_ADMIN_FEES"),
    (8, "FULFILLMENT"),
    (9, "SHIPPING_COSTS"),
    (10, "STORAGE"),
    (11, "PROGRAM_FEES"),
    (12, "PENALTIES"),
    (13, "AFFILIATE_COMMISSION"),
    (14, "ADVERTISING"),
    (15, "ADJUSTMENTS"),
    (16, "TAXES_COLLECTED"),
    (17, "TAXES_REMITTED"),
    (18, "WITHHOLDING_TAX"),
    (19, "RESERVES"),
    (20, "OTHER"),
];

/// `ledger_entry.status`.
pub const STATUSES: Vocabulary = &[(1, "ESTIMATED"), (2, "SETTLED")];

/// The code of `text` in `vocabulary`.
pub fn code(vocabulary: Vocabulary, text: &str) -> Option<i16> {
    vocabulary
        .iter()
        .find(|(_, known)| *known == text)
        .map(|(code, _)| *code)
}

/// The text of `code` in `vocabulary`.
pub fn text(vocabulary: Vocabulary, code: i16) -> Option<&'static str> {
    vocabulary
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, text)| *text)
}

/// SQL giving the text of the code in column `column` (NULL for a code not in `vocabulary`).
pub fn text_sql(vocabulary: Vocabulary, column: &str) -> String {
    let arms: String = vocabulary
        .iter()
        .map(|(code, text)| format!(" WHEN {code} THEN '{text}'"))
        .collect();
    format!("(CASE {column}{arms} END)")
}

/// SQL giving the code of the text in column `column` (NULL for a text not in `vocabulary`).
pub fn code_sql(vocabulary: Vocabulary, column: &str) -> String {
    let arms: String = vocabulary
        .iter()
        .map(|(code, text)| format!(" WHEN '{text}' THEN {code}"))
        .collect();
    format!("(CASE {column}{arms} END)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_texts_are_unique_in_each_vocabulary() {
        for vocabulary in [CHANNELS, BUCKETS, STATUSES] {
            for (index, (code, text)) in vocabulary.iter().enumerate() {
                assert!(*code > 0, "{text}: codes start at 1");
                for (other_code, other_text) in &vocabulary[index + 1..] {
                    assert_ne!(code, other_code, "{text} and {other_text}");
                    assert_ne!(text, other_text);
                }
                assert_eq!(super::code(vocabulary, text), Some(*code));
                assert_eq!(super::text(vocabulary, *code), Some(*text));
            }
        }
        assert_eq!(code(STATUSES, "PAID"), None);
        assert_eq!(text(STATUSES, 0), None);
    }
}
