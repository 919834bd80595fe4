//! Introspection, `__typename`, aliases and directives count like any
//! other field.

use serde_json::json;

use yeondae_api::graphql::limits::STANDARD_INTROSPECTION;

use crate::db_test;
use crate::support::{Backend, Options, TestApp};

db_test! {
    async fn the_standard_introspection_query_passes_and_copies_of_it_do_not(app) {
        let r = app.gql(None, STANDARD_INTROSPECTION, json!({})).await;
        assert!(r.data()["__schema"]["types"].as_array().unwrap().len() > 30);

        // The 892-byte attack: aliased copies of the type system, chained
        // through `ofType` by fragments.
        let copies: String = (0..15).map(|i| format!("s{i}: __schema {{ types {{ ...T }} }} ")).collect();
        let chain: String = (1..5)
            .map(|i| format!("fragment R{i} on __Type {{ name ofType {{ fields {{ name type {{ ...R{} }} }} }} }} ", i + 1))
            .collect();
        let attack = format!(
            "{{ {copies} }} fragment T on __Type {{ name fields {{ name type {{ ...R1 }} }} }} {chain} fragment R5 on __Type {{ name }}"
        );
        app.gql(None, &attack, json!({})).await.assert_error("QUERY_TOO_COMPLEX", None);
        // Even within the alias limit, fifteen full copies are too many nodes.
        let full: String = (0..15).map(|i| format!("s{i}: __schema {{ types {{ ...FullType }} }} ")).collect();
        let fragments = &STANDARD_INTROSPECTION[STANDARD_INTROSPECTION.find("fragment FullType").unwrap()..];
        let r = app.gql(None, &format!("{{ {full} }} {fragments}"), json!({})).await;
        r.assert_error("QUERY_TOO_COMPLEX", None);
        assert!(r.message().contains("nodes"), "{}", r.body);
    }
}

db_test! {
    async fn typename_aliases_and_directives_on_meta_fields_count(app) {
        let typenames: String = (0..101).map(|i| format!("t{i}: __typename ")).collect();
        let r = app.gql(None, &format!("{{ {typenames} }}"), json!({})).await;
        r.assert_error("QUERY_TOO_COMPLEX", None);
        assert!(r.message().contains("aliases"), "{}", r.body);

        let six = "{ __typename @include(if: true) @skip(if: false) @include(if: true) @skip(if: false) @include(if: true) @skip(if: false) }";
        app.gql(None, six, json!({})).await.assert_error("QUERY_TOO_COMPLEX", None);

        // A non-repeatable directive twice at one place is invalid GraphQL.
        for twice in [
            "{ __typename @include(if: true) @include(if: true) }",
            "{ me @skip(if: false) @skip(if: false) { id } }",
            "{ ... @include(if: true) @include(if: true) { __typename } }",
        ] {
            let r = app.gql(None, twice, json!({})).await;
            r.assert_error("BAD_USER_INPUT", Some("query"));
            assert!(r.message().contains("only once"), "{twice}: {}", r.body);
        }
        // Within the limits, meta-fields answer as always.
        let r = app.gql(None, "{ a: __typename b: __typename @include(if: true) }", json!({})).await;
        assert_eq!(r.data()["a"], "Query");
    }
}

/// An operator may turn introspection off; `__typename` keeps working.
async fn introspection_can_be_turned_off(backend: Backend) {
    let mut options = Options::default();
    options.edges.introspection = false;
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    for query in [
        "{ __schema { queryType { name } } }",
        "{ __type(name: \"Query\") { name } }",
    ] {
        let r = app.gql(None, query, json!({})).await;
        r.assert_error("BAD_USER_INPUT", None);
        assert!(
            r.message().contains("introspection is turned off"),
            "{query}: {}",
            r.body
        );
    }
    assert_eq!(
        app.gql(None, "{ __typename }", json!({})).await.data()["__typename"],
        "Query"
    );
}

crate::on_each_backend!(introspection_can_be_turned_off);
