//! How the fuzz properties run (fixed seed, case counts) and how a valid input is broken: cut
//! at any length, bytes flipped, set, inserted or deleted, its structure edited (JSON:
//! `json_edit`, CSV: `csv_edit`); or replaced by random JSON or random bytes.

use std::fmt;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config as ProptestConfig, RngSeed, TestRunner};

use super::csv_edit::CsvEdit;
use super::json_edit::{apply_json, json_edit, random_json, JsonEdit};
use super::seeds::{Seed, TIKTOK_SEEDS};

/// Cases per property in the normal suite are given by each test; `PROPTEST_CASES` sets the long
/// (`#[ignore]`d) runs' count, `PROPTEST_RNG_SEED` their seed.
pub fn long_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(default)
}

/// A runner with a fixed seed (unless `PROPTEST_RNG_SEED` is set), so that a failure reproduces,
/// and no regression file: failing inputs are kept as named regression tests instead.
fn runner(cases: u32) -> TestRunner {
    let mut config = ProptestConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters: 400,
        ..ProptestConfig::default()
    };
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(0x0070_6e6c_f022);
    }
    TestRunner::new(config)
}

/// Runs `test` on `cases` inputs of `strategy`, failing with proptest's minimal input.
pub fn check<S: Strategy>(
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: fmt::Debug,
{
    if let Err(failure) = runner(cases).run(&strategy, test) {
        panic!("{failure}");
    }
}

/// How a valid input is broken.
#[derive(Clone, Debug)]
pub enum Edit {
    /// The seed unchanged (the success path, and its idempotency).
    None,
    /// The first `n` bytes.
    Truncate(Index),
    /// Byte-level edits.
    Bytes(Vec<ByteEdit>),
    /// Structure-level edits of a JSON seed.
    Structure(Vec<JsonEdit>),
    /// Structure edits, then byte edits.
    Both(Vec<JsonEdit>, Vec<ByteEdit>),
    /// Cell-level edits of a CSV file (shown when a case fails).
    #[allow(dead_code)]
    Cells(Vec<CsvEdit>),
}

/// One byte-level edit.
#[derive(Clone, Debug)]
pub enum ByteEdit {
    Flip(Index, u8),
    Set(Index, u8),
    Insert(Index, u8),
    /// Insert a byte that means something to JSON or CSV.
    InsertSyntax(Index, Index),
    Delete(Index, usize),
}

const SYNTAX: &[u8] = b"{}[]\",:-+.0159eE \\\n\r\t\x00\xff";

pub fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    prop_oneof![
        (any::<Index>(), 0_u8..8).prop_map(|(at, bit)| ByteEdit::Flip(at, bit)),
        (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| ByteEdit::Set(at, byte)),
        (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| ByteEdit::Insert(at, byte)),
        (any::<Index>(), any::<Index>()).prop_map(|(at, byte)| ByteEdit::InsertSyntax(at, byte)),
        (any::<Index>(), 1_usize..16).prop_map(|(at, n)| ByteEdit::Delete(at, n)),
    ]
}

/// An edit of a seed, weighted towards the ones that reach past the parser.
pub fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        1 => Just(Edit::None),
        2 => any::<Index>().prop_map(Edit::Truncate),
        2 => vec(byte_edit(), 1..8).prop_map(Edit::Bytes),
        6 => vec(json_edit(), 1..4).prop_map(Edit::Structure),
        1 => (vec(json_edit(), 1..3), vec(byte_edit(), 1..3))
            .prop_map(|(json, bytes)| Edit::Both(json, bytes)),
    ]
}

/// Applies byte edits.
pub fn apply_bytes(mut bytes: Vec<u8>, edits: &[ByteEdit]) -> Vec<u8> {
    for edit in edits {
        let len = bytes.len();
        match edit {
            ByteEdit::Flip(at, bit) if len > 0 => bytes[at.index(len)] ^= 1 << bit,
            ByteEdit::Set(at, byte) if len > 0 => bytes[at.index(len)] = *byte,
            ByteEdit::Insert(at, byte) => bytes.insert(at.index(len + 1), *byte),
            ByteEdit::InsertSyntax(at, byte) => {
                bytes.insert(at.index(len + 1), *byte.get(SYNTAX));
            }
            ByteEdit::Delete(at, n) if len > 0 => {
                let from = at.index(len);
                bytes.drain(from..(from + n).min(len));
            }
            _ => {}
        }
    }
    bytes
}

/// An input derived from a seed, shown as text when a case fails.
#[derive(Clone)]
pub struct Case {
    pub seed: &'static str,
    pub edit: Edit,
    pub bytes: Vec<u8>,
}

impl Case {
    /// The input as text (`None` when it is not UTF-8).
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.bytes).ok()
    }
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = String::from_utf8_lossy(&self.bytes);
        let shown: String = if text.len() > 4000 {
            format!(
                "{}… ({} bytes)",
                text.chars().take(4000).collect::<String>(),
                self.bytes.len()
            )
        } else {
            text.into_owned()
        };
        f.debug_struct("Case")
            .field("seed", &self.seed)
            .field("edit", &self.edit)
            .field("input", &shown)
            .finish()
    }
}

/// Applies `edit` to a JSON seed.
pub fn edit_json(seed: &Seed, edit: &Edit) -> Vec<u8> {
    let bytes = seed.text.as_bytes().to_vec();
    match edit {
        Edit::None => bytes,
        Edit::Truncate(at) => bytes[..at.index(bytes.len() + 1)].to_vec(),
        Edit::Bytes(edits) => apply_bytes(bytes, edits),
        Edit::Structure(edits) => apply_json(seed.text, edits),
        Edit::Both(json, edits) => apply_bytes(apply_json(seed.text, json), edits),
        Edit::Cells(_) => bytes,
    }
}

/// Any input for the TikTok parsers: an edited seed, random JSON (bare or in an envelope), or
/// random bytes.
pub fn tiktok_case() -> impl Strategy<Value = Case> {
    prop_oneof![
        12 => (any::<Index>(), edit()).prop_map(|(seed, edit)| {
            let seed = seed.get(&TIKTOK_SEEDS);
            Case { seed: seed.name, bytes: edit_json(seed, &edit), edit }
        }),
        2 => (random_json(), any::<bool>()).prop_map(|(json, wrap)| Case {
            seed: "random JSON",
            edit: Edit::None,
            bytes: if wrap { format!(r#"{{"code":0,"data":{json}}}"#) } else { json }.into_bytes(),
        }),
        1 => vec(any::<u8>(), 0..2048).prop_map(|bytes| Case {
            seed: "random bytes",
            edit: Edit::None,
            bytes,
        }),
    ]
}
