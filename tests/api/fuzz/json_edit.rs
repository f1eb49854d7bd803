//! JSON-structure edits: a node replaced by a value of another type, a huge, negative or
//! exponent number, an empty or very long string, null, deep nesting, or a node of another
//! payload; a member removed, repeated or renamed. And random JSON in the payloads' vocabulary.

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Value};

use super::seeds::{KEYS, TIKTOK_SEEDS, TOKENS};

/// One edit of a JSON document.
#[derive(Clone, Debug)]
pub enum JsonEdit {
    /// Replace the node with a raw token.
    Token(Index, Index),
    /// Replace the node with a string of `n` characters (`digits`: all `9`).
    Long(Index, usize, bool),
    /// Replace the node with `depth` nested arrays or objects around it.
    Deep(Index, usize, bool),
    /// Remove the node from its parent.
    Remove(Index),
    /// Repeat an array element or member `n` times.
    Repeat(Index, usize),
    /// Rename the node's key to a key of some seed.
    Rename(Index, Index),
    /// Replace the node with a node of another seed.
    Graft(Index, Index, Index),
}

pub fn json_edit() -> impl Strategy<Value = JsonEdit> {
    prop_oneof![
        4 => (any::<Index>(), any::<Index>()).prop_map(|(at, token)| JsonEdit::Token(at, token)),
        1 => (any::<Index>(), 0_usize..100_000, any::<bool>())
            .prop_map(|(at, n, digits)| JsonEdit::Long(at, n, digits)),
        1 => (any::<Index>(), 1_usize..300, any::<bool>())
            .prop_map(|(at, depth, arrays)| JsonEdit::Deep(at, depth, arrays)),
        2 => any::<Index>().prop_map(JsonEdit::Remove),
        1 => (any::<Index>(), 2_usize..50).prop_map(|(at, n)| JsonEdit::Repeat(at, n)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(at, key)| JsonEdit::Rename(at, key)),
        2 => (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(at, seed, node)| JsonEdit::Graft(at, seed, node)),
    ]
}

/// JSON pointers of every node (the root included), in document order.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                pointers(child, format!("{at}/{escaped}"), out);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{index}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn split(pointer: &str) -> Option<(&str, String)> {
    let (parent, last) = pointer.rsplit_once('/')?;
    Some((parent, last.replace("~1", "/").replace("~0", "~")))
}

/// Applies structure edits to a JSON seed; raw tokens are spliced into the text after
/// serialisation (a `Value` cannot hold `1e400` or a 30-digit integer).
pub fn apply_json(text: &str, edits: &[JsonEdit]) -> Vec<u8> {
    let mut value: Value = serde_json::from_str(text).expect("seeds are JSON");
    let mut raw: Vec<(String, String)> = Vec::new();
    for edit in edits {
        let mut all = Vec::new();
        pointers(&value, String::new(), &mut all);
        let pick = |at: &Index| all[at.index(all.len())].clone();
        match edit {
            JsonEdit::Token(at, token) => {
                let marker = format!("\u{1}fuzz{}\u{1}", raw.len());
                raw.push((marker.clone(), (*token.get(TOKENS)).to_owned()));
                replace(&mut value, &pick(at), Value::String(marker));
            }
            JsonEdit::Long(at, n, digits) => {
                let text = if *digits { "9" } else { "x" }.repeat(*n);
                replace(&mut value, &pick(at), Value::String(text));
            }
            JsonEdit::Deep(at, depth, arrays) => {
                let pointer = pick(at);
                let mut node = value.pointer(&pointer).cloned().unwrap_or(Value::Null);
                for _ in 0..*depth {
                    node = if *arrays {
                        Value::Array(vec![node])
                    } else {
                        Value::Object(Map::from_iter([("a".to_owned(), node)]))
                    };
                }
                // Past serde_json's recursion limit of 128 the whole text is refused; below it
                // the parsers see the nesting.
                replace(&mut value, &pointer, node);
            }
            JsonEdit::Remove(at) => {
                let pointer = pick(at);
                match split(&pointer) {
                    Some((parent, key)) => match value.pointer_mut(parent) {
                        Some(Value::Object(map)) => {
                            map.remove(&key);
                        }
                        Some(Value::Array(items)) => {
                            if let Ok(index) = key.parse::<usize>() {
                                if index < items.len() {
                                    items.remove(index);
                                }
                            }
                        }
                        _ => {}
                    },
                    None => value = Value::Null,
                }
            }
            JsonEdit::Repeat(at, n) => {
                let pointer = pick(at);
                if let Some((parent, key)) = split(&pointer) {
                    let node = value.pointer(&pointer).cloned().unwrap_or(Value::Null);
                    match value.pointer_mut(parent) {
                        Some(Value::Array(items)) => {
                            items.extend(std::iter::repeat_n(node, *n));
                        }
                        Some(Value::Object(map)) => {
                            for copy in 0..*n {
                                map.insert(format!("{key}{copy}"), node.clone());
                            }
                        }
                        _ => {}
                    }
                }
            }
            JsonEdit::Rename(at, key) => {
                let pointer = pick(at);
                if let Some((parent, old)) = split(&pointer) {
                    if let Some(Value::Object(map)) = value.pointer_mut(parent) {
                        if let Some(node) = map.remove(&old) {
                            map.insert(key.get(&KEYS).clone(), node);
                        }
                    }
                }
            }
            JsonEdit::Graft(at, seed, node) => {
                let donor: Value =
                    serde_json::from_str(seed.get(&TIKTOK_SEEDS).text).expect("seeds are JSON");
                let mut nodes = Vec::new();
                pointers(&donor, String::new(), &mut nodes);
                let graft = donor
                    .pointer(&nodes[node.index(nodes.len())])
                    .cloned()
                    .unwrap_or(Value::Null);
                replace(&mut value, &pick(at), graft);
            }
        }
    }
    let mut text = value.to_string();
    for (marker, token) in raw {
        let quoted = Value::String(marker).to_string();
        text = text.replace(&quoted, &token);
    }
    text.into_bytes()
}

fn replace(value: &mut Value, pointer: &str, node: Value) {
    if let Some(slot) = value.pointer_mut(pointer) {
        *slot = node;
    }
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<Index>().prop_map(|at| at.get(&KEYS).clone()),
        1 => "[a-z_]{0,12}",
    ]
}

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<Index>().prop_map(|at| (*at.get(TOKENS)).to_owned()),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => "-?[0-9]{0,30}(\\.[0-9]{0,30})?".prop_map(|n| Value::String(n).to_string()),
        1 => any::<String>().prop_map(|s| Value::String(s).to_string()),
    ]
}

/// Random JSON text in the payloads' vocabulary (keys of the seeds, tricky tokens).
pub fn random_json() -> impl Strategy<Value = String> {
    leaf().prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..8).prop_map(|items| format!("[{}]", items.join(","))),
            btree_map(key(), inner, 0..8).prop_map(|members| {
                let members: Vec<String> = members
                    .into_iter()
                    .map(|(key, value)| format!("{}:{value}", Value::String(key)))
                    .collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}
