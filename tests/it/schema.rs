//! The committed SDL is the schema the server serves.

#[test]
fn committed_schema_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let current = yeondae_api::graphql::sdl();
    assert!(
        committed == current,
        "schema.graphql is stale; regenerate it with\n    cargo run --bin yeondae -- export-schema > schema.graphql"
    );
}
