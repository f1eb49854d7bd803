//! The built-in label → bucket tables, one per channel, each in its connector's folder
//! (`connectors/<channel>/labels.rs`) and reached through the connector registry. Data, not
//! logic: a channel that renames or adds a fee needs a row there (or an org override), never a
//! new `match` arm. A channel whose labels drift in spelling (Amazon's casing, two sources
//! naming one fee differently) gives its connector's canonical spelling a second chance.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::connectors::registry::Registry;
use crate::ledger::{Channel, FeeBucket};

static TABLE: LazyLock<HashMap<(Channel, &'static str), FeeBucket>> = LazyLock::new(|| {
    Registry::builtin()
        .label_tables()
        .flat_map(|(channel, table)| {
            table
                .iter()
                .map(move |&(label, bucket)| ((channel, label), bucket))
        })
        .collect()
});

/// The built-in bucket of `label` on `channel`, if there is one: the label as written, else
/// in its connector's canonical spelling.
pub(super) fn lookup(channel: Channel, label: &str) -> Option<FeeBucket> {
    TABLE.get(&(channel, label)).copied().or_else(|| {
        let canonical = Registry::builtin()
            .channel(channel)
            .ok()?
            .canonical_label(label)?;
        TABLE.get(&(channel, canonical.as_str())).copied()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_channel_lists_a_label_twice() {
        let rows: usize = Registry::builtin()
            .label_tables()
            .map(|(_, table)| table.len())
            .sum();
        assert_eq!(TABLE.len(), rows);
    }
}
