//! The settlement file's character set. Amazon sends it without a charset (reference B.5,
//! pitfall 2): UTF-8 in the US, cp1252 / latin-1 in Europe, Shift_JIS (cp932) in Japan.
//!
//! The choice is deterministic and never a silent guess:
//! 1. a UTF-8 BOM, or bytes that are valid UTF-8 → UTF-8 (BOM removed);
//! 2. otherwise Shift_JIS when the bytes decode as Shift_JIS without error **and** either
//!    cp1252 cannot read them (a byte cp1252 leaves undefined: 0x81, 0x8D, 0x8F, 0x90, 0x9D) or
//!    the Shift_JIS text has full-width kana (see `looks_japanese`);
//! 3. otherwise cp1252 when it defines every byte (latin-1 text is cp1252 text: they differ
//!    only in 0x80–0x9F, which are control characters in latin-1 and never in a report);
//! 4. otherwise the file is refused, naming the first byte offset each candidate failed at.

use encoding_rs::{Encoding, SHIFT_JIS, WINDOWS_1252};

/// How a file was decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charset {
    /// UTF-8 (with or without a BOM).
    Utf8,
    /// Windows-1252 (and latin-1).
    Cp1252,
    /// Shift_JIS (cp932).
    ShiftJis,
}

/// Bytes cp1252 leaves undefined.
const CP1252_UNDEFINED: [u8; 5] = [0x81, 0x8D, 0x8F, 0x90, 0x9D];

/// Decodes `bytes` by the rules of the module docs.
///
/// # Errors
/// A message naming the byte offsets at which UTF-8, Shift_JIS and cp1252 failed.
pub fn decode(bytes: &[u8]) -> Result<(String, Charset), String> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let utf8_error = match std::str::from_utf8(body) {
        Ok(text) => return Ok((text.to_owned(), Charset::Utf8)),
        Err(error) => error.valid_up_to() + (bytes.len() - body.len()),
    };
    let cp1252_error = body.iter().position(|byte| CP1252_UNDEFINED.contains(byte));
    let sjis = strict(SHIFT_JIS, body);
    if let Ok(text) = &sjis {
        if cp1252_error.is_some() || looks_japanese(text) {
            return Ok((text.clone(), Charset::ShiftJis));
        }
    }
    if cp1252_error.is_none() {
        let (text, _, _) = WINDOWS_1252.decode(body);
        return Ok((text.into_owned(), Charset::Cp1252));
    }
    let offset = |at: usize| at + (bytes.len() - body.len());
    Err(format!(
        "the file is in no character set Amazon uses: not UTF-8 (invalid byte at offset \
         {utf8_error}), not Shift_JIS (invalid byte at offset {}), not cp1252/latin-1 \
         (undefined byte 0x{:02X} at offset {})",
        sjis.err().map_or(0, offset),
        cp1252_error.map_or(0, |at| body[at]),
        cp1252_error.map_or(0, offset),
    ))
}

/// Decodes without replacement; the error is the offset of the first bad byte.
fn strict(encoding: &'static Encoding, bytes: &[u8]) -> Result<String, usize> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len().saturating_mul(3));
    let mut text = String::with_capacity(capacity);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut text, true);
    match result {
        encoding_rs::DecoderResult::InputEmpty => Ok(text),
        encoding_rs::DecoderResult::Malformed(bad, extra) => {
            Err(read.saturating_sub(usize::from(bad) + usize::from(extra)))
        }
        encoding_rs::DecoderResult::OutputFull => Err(read),
    }
}

/// Full-width kana: every Japanese sentence has some, and no cp1252 text decodes to them
/// (hiragana needs 0x82 + a byte above 0x9E, katakana 0x83 + a letter or a high byte: "‚" or
/// "ƒ" before such a byte is no Western word). Kanji alone prove nothing: 0xE4 + "r" ("är") is
/// a kanji, and half-width katakana are the cp1252 letters 0xA1–0xDF ("ß").
fn looks_japanese(text: &str) -> bool {
    text.chars().any(|c| matches!(c, '\u{3041}'..='\u{30FE}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(
            decode("Gebühr".as_bytes()).unwrap(),
            ("Gebühr".to_owned(), Charset::Utf8)
        );
        assert_eq!(
            decode(b"\xEF\xBB\xBFabc").unwrap(),
            ("abc".to_owned(), Charset::Utf8)
        );
    }

    #[test]
    fn cp1252_umlauts_are_not_read_as_shift_jis() {
        let (text, charset) = decode(b"Geb\xFChr f\xFCr R\xFCcksendung \x80").unwrap();
        assert_eq!(charset, Charset::Cp1252);
        assert_eq!(text, "Gebühr für Rücksendung €");
        let (text, charset) = decode(b"Kosten f\xE4r Lager").unwrap();
        assert_eq!(
            (text.as_str(), charset),
            ("Kosten fär Lager", Charset::Cp1252)
        );
    }

    #[test]
    fn shift_jis_is_recognised() {
        let (bytes, _, _) = SHIFT_JIS.encode("注文\t手数料\tアマゾン");
        let (text, charset) = decode(&bytes).unwrap();
        assert_eq!(charset, Charset::ShiftJis);
        assert_eq!(text, "注文\t手数料\tアマゾン");
    }

    #[test]
    fn a_file_no_candidate_reads_is_refused_with_offsets() {
        let error = decode(b"abc\t\x81\xFF\x8D").unwrap_err();
        assert!(
            error.contains("not UTF-8 (invalid byte at offset 4)"),
            "{error}"
        );
        assert!(error.contains("undefined byte 0x81 at offset 4"), "{error}");
    }
}
