//! The limits, measured on small documents against a small schema.

use super::measure::check_operation;
use super::*;

const SDL: &str = r#"
    type Query { organization(id: ID): Organization organizations(first: Int): OrganizationConnection! }
    type Organization { name: String! agreements(first: Int): AgreementConnection! partners: [Organization!]! }
    type OrganizationConnection { nodes: [Organization!]! edges: [OrganizationEdge!]! }
    type OrganizationEdge { node: Organization! cursor: String! }
    type AgreementConnection { nodes: [Agreement!]! }
    type Agreement { title: String! projects(first: Int): ProjectConnection! }
    type ProjectConnection { nodes: [Project!]! }
    type Project { title: String! events(first: Int): EventConnection! }
    type EventConnection { nodes: [Event!]! }
    type Event { title: String! }
"#;

fn check(query: &str) -> Result<(), String> {
    let shape = SchemaShape::from_sdl(SDL).unwrap();
    let doc = async_graphql::parser::parse_query(query).unwrap();
    let vars = Variables::default();
    let mut result = Ok(());
    for (_, op) in doc.operations.iter() {
        result = result.and(check_operation(&doc, &shape, &vars, op));
    }
    result
}

#[test]
fn dashboard_query_fits_and_three_nested_hundreds_do_not() {
    let dashboard = "{ organization(id: \"x\") { agreements(first: 50) { nodes { projects(first: 50) { nodes { events(first: 50) { nodes { title } } } } } } } }";
    assert_eq!(check(dashboard), Ok(()));
    let hundreds = dashboard.replace("50", "100");
    assert!(check(&hundreds).unwrap_err().contains("1010100 nodes"));
}

#[test]
fn introspection_is_counted_by_the_size_of_the_schema() {
    let copies = |n: usize| -> String {
        let c: String = (0..n)
            .map(|i| {
                format!(
                    "s{i}: __schema {{ types {{ fields {{ args {{ name }} type {{ name }} }} }} }} "
                )
            })
            .collect();
        format!("{{ {c} }}")
    };
    assert_eq!(check(&copies(1)), Ok(()));
    assert!(check(&copies(16)).unwrap_err().contains("aliases"));
    let typenames: String = (0..16).map(|i| format!("t{i}: __typename ")).collect();
    assert!(
        check(&format!("{{ {typenames} }}"))
            .unwrap_err()
            .contains("aliases")
    );
    let ofs = "ofType { ".repeat(20) + "name" + &" }".repeat(20);
    assert!(
        check(&format!("{{ __type(name: \"X\") {{ {ofs} }} }}"))
            .unwrap_err()
            .contains("introspection depth")
    );
}

#[test]
fn depth_ignores_introspection_but_counts_fields() {
    let deep = "{ organization { partners { partners { partners { partners { partners { partners { partners { partners { partners { partners { name } } } } } } } } } } } }";
    assert!(check(deep).unwrap_err().contains("depth"));
    assert_eq!(
        check(
            "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }"
        ),
        Ok(())
    );
}

#[test]
fn aliases_and_directives_are_capped() {
    let many: String = (0..16)
        .map(|i| format!("a{i}: organization {{ name }} "))
        .collect();
    assert!(
        check(&format!("{{ {many} }}"))
            .unwrap_err()
            .contains("aliases")
    );
    let dirs = "{ organization @include(if: true) @include(if: true) @include(if: true) @include(if: true) @include(if: true) @include(if: true) { name } }";
    assert!(check(dirs).unwrap_err().contains("directives"));
}

#[test]
fn fragment_cycles_do_not_hang() {
    let q = "{ organization { ...A } } fragment A on Organization { partners { ...A } }";
    assert_eq!(check(q), Ok(()));
}

/// `operation` spreading F1, then 40 fragments on `on`, each selecting
/// `field` and spreading the next twice (2^40 fields if expanded); the last
/// selects `last`.
fn fragment_bomb(operation: &str, on: &str, field: &str, last: &str) -> String {
    let mut q = operation.replace("...", "...F1");
    for i in 1..40 {
        let n = i + 1;
        q.push_str(&format!(
            " fragment F{i} on {on} {{ {field} ...F{n} ...F{n} }}"
        ));
    }
    q.push_str(&format!(" fragment F40 on {on} {{ {last} }}"));
    q
}

#[test]
fn fragments_spread_twice_cannot_explode() {
    // Refused after a bounded walk instead of expanded.
    let q = fragment_bomb("{ organization { ... } }", "Organization", "name", "name");
    let started = std::time::Instant::now();
    let refused = check(&q).unwrap_err();
    assert!(refused.contains("fields"), "{refused}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn a_write_only_answer_is_ids_only_whatever_the_fragments() {
    let reads = |q: &str| {
        let doc = async_graphql::parser::parse_query(q).unwrap();
        let (_, op) = doc.operations.iter().next().unwrap();
        reads_beyond_ids(&doc, &op.node)
    };
    assert_eq!(reads("mutation { book { id __typename } }"), None);
    assert_eq!(
        reads("mutation { book { ...A } } fragment A on B { id }"),
        None
    );
    assert_eq!(
        reads("mutation { book { ...A } } fragment A on B { id ...A ...A title }"),
        Some("book.title".into())
    );
    let deep = fragment_bomb("mutation { book { ... } }", "B", "id", "status");
    assert_eq!(reads(&deep), Some("book.status".into()));
}

#[test]
fn a_directive_twice_at_one_place_is_refused_wherever_it_stands() {
    let refused = |q: &str, introspection: bool| {
        let doc = async_graphql::parser::parse_query(q).unwrap();
        document::check_document(&doc, introspection).err()
    };
    for q in [
        "{ __typename @include(if: true) @include(if: true) }",
        "{ organization { ...F @skip(if: false) @skip(if: false) } } fragment F on Organization { name }",
        "{ ... @include(if: true) @include(if: true) { __typename } }",
        "query Q @a @a { __typename }",
    ] {
        assert!(refused(q, true).is_some(), "{q}");
    }
    assert!(refused("{ __typename @include(if: true) @skip(if: false) }", true).is_none());
    assert!(refused("{ __schema { types { name } } }", true).is_none());
    assert!(refused("{ organization { ...F } } fragment F on Organization { x: __type(name: \"Y\") { name } }", false).is_some());
}

/// The document check treats every directive as non-repeatable; a schema
/// that declares a `repeatable` one must teach it otherwise. (Read from the
/// text: async-graphql's SDL parser reports `@include` as repeatable.)
#[test]
fn the_served_schema_declares_no_repeatable_directive() {
    let sdl = crate::graphql::sdl();
    assert!(!sdl.contains(" repeatable"), "{sdl}");
}
