//! Built-in mappings: TOML files embedded in the binary, by name (`pnl import --mapping NAME`).

use super::mapping::{Checked, StatementMapping};
use crate::error::Result;

/// One built-in mapping.
#[derive(Clone, Copy, Debug)]
pub struct Builtin {
    /// Its name.
    pub name: &'static str,
    /// Its TOML.
    pub toml: &'static str,
}

/// Every built-in mapping.
pub const ALL: &[Builtin] = &[Builtin {
    name: "walmart-recon",
    toml: include_str!("builtin/walmart-recon.toml"),
}];

/// The built-in named `name`, parsed; `None` when there is none.
pub fn find(name: &str) -> Option<Result<Checked>> {
    ALL.iter()
        .find(|b| b.name == name)
        .map(|b| StatementMapping::parse(b.toml, b.name))
}

/// What a built-in reads (its `description`), for `pnl mapping list`.
pub fn description(builtin: &Builtin) -> String {
    StatementMapping::parse(builtin.toml, builtin.name)
        .ok()
        .and_then(|checked| checked.mapping.description)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_parses_under_its_name() {
        for builtin in ALL {
            let checked = find(builtin.name).unwrap().unwrap();
            assert_eq!(checked.mapping.name.as_deref(), Some(builtin.name));
            assert!(!description(builtin).is_empty(), "{}", builtin.name);
        }
        assert!(find("no-such-mapping").is_none());
    }
}
