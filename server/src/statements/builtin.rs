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

/// The built-in mapping whose columns `bytes` have (its header holds every column the mapping
/// names), for a hint when a file is imported without `--mapping`.
pub fn recognise(bytes: &[u8]) -> Option<&'static str> {
    ALL.iter()
        .find(|builtin| {
            let Ok(mapping) = StatementMapping::parse(builtin.toml, builtin.name) else {
                return false;
            };
            super::read::decode(bytes, &mapping.mapping.file.encoding)
                .is_ok_and(|text| super::read::Table::read(&text, &mapping).is_ok())
        })
        .map(|builtin| builtin.name)
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
        let walmart = include_bytes!("../../../tests/fixtures/statements/walmart_recon.csv");
        assert_eq!(recognise(walmart), Some("walmart-recon"));
        assert_eq!(recognise(b"a,b,c\n1,2,3\n"), None);
    }
}
