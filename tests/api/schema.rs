//! The committed `schema.graphql` is exactly what the code prints.

#[test]
fn committed_schema_matches_the_code() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert!(
        committed == pnl::graphql::sdl(),
        "schema.graphql is out of date: run `cargo run -p pnl -- print-schema > schema.graphql`"
    );
}
