//! The authorization matrix: `authorization_matrix.txt` lists, for every
//! operation × caller kind × relation of the target, the expected outcome;
//! `authorization_matrix` runs all of it against a real server on both
//! databases, and `matrix_covers_every_operation` fails when an operation of
//! the schema is missing from the table.
//!
//! The world: a home organization ("home") whose OWNER, ADMIN, EDITOR and
//! MEMBER are callers, a platform admin (a member of no organization: the
//! matrix shows what operators may do for organizations they do not belong
//! to), and four API tokens of home's OWNER (READ, READ+WRITE, READ+WRITE
//! bound to another organization, and WRITE without READ). Each
//! relation names a target organization and the agreement that links it to
//! home:
//!
//! | relation   | target organization | its agreement with home |
//! | ---------- | ------------------- | ----------------------- |
//! | own        | home itself         | ACTIVE, convened by home with `partner` |
//! | partner    | `partner`           | ACTIVE, all scopes, convened by it |
//! | noscope    | `noscope`           | ACTIVE, only ACTIONS, convened by it |
//! | proposed   | `proposed`          | PROPOSED by it; home (and a stranger) INVITED |
//! | expired    | `expired`           | ratified, ended in 2023, convened by it |
//! | terminated | `terminated`        | ratified then TERMINATED by it |
//! | withdrew   | `withdrew`          | ACTIVE, convened by home; `withdrew` withdrew |
//! | unrelated  | `unrelated`         | none; its own agreement with a stranger |
//!
//! Outcomes: `OK` (done / data shown), `EMPTY` (answered, but the protected
//! part is empty or null), and the error codes `UNAUTH`, `FORBIDDEN`,
//! `NOT_FOUND`, `BAD_INPUT` (refused by state), `CONFLICT`. Cells expected
//! to succeed get fresh objects (a new member to remove, a new agreement to
//! terminate), so no cell changes what another one sees.
//!
//! This file holds the callers, relations and outcomes, the matrix's parsing
//! and the tests; `world.rs` builds the world, `fresh.rs` makes the fresh
//! objects cells need, and `probes.rs` tries each operation as a caller.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use serde_json::Value;

use crate::db_test;
use crate::support::Gql;

mod fresh;
mod probes;
mod probes_disclosure;
mod world;

pub(crate) use world::World;

const MATRIX: &str = include_str!("../authorization_matrix.txt");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Outcome {
    Ok,
    Empty,
    Unauth,
    Forbidden,
    NotFound,
    BadInput,
    Conflict,
}

impl Outcome {
    fn parse(s: &str) -> Outcome {
        match s {
            "OK" => Outcome::Ok,
            "EMPTY" => Outcome::Empty,
            "UNAUTH" => Outcome::Unauth,
            "FORBIDDEN" => Outcome::Forbidden,
            "NOT_FOUND" => Outcome::NotFound,
            "BAD_INPUT" => Outcome::BadInput,
            "CONFLICT" => Outcome::Conflict,
            other => panic!("unknown outcome {other:?} in the matrix"),
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Outcome::Ok => "OK",
            Outcome::Empty => "EMPTY",
            Outcome::Unauth => "UNAUTH",
            Outcome::Forbidden => "FORBIDDEN",
            Outcome::NotFound => "NOT_FOUND",
            Outcome::BadInput => "BAD_INPUT",
            Outcome::Conflict => "CONFLICT",
        };
        f.write_str(s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Caller {
    Anonymous,
    Member,
    Editor,
    Admin,
    Owner,
    PlatformAdmin,
    ReadToken,
    WriteToken,
    BoundToken,
    WriteOnlyToken,
}

pub(crate) const CALLERS: [Caller; 10] = [
    Caller::Anonymous,
    Caller::Member,
    Caller::Editor,
    Caller::Admin,
    Caller::Owner,
    Caller::PlatformAdmin,
    Caller::ReadToken,
    Caller::WriteToken,
    Caller::BoundToken,
    Caller::WriteOnlyToken,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Rel {
    Own,
    Partner,
    NoScope,
    Proposed,
    Expired,
    Terminated,
    Withdrew,
    Unrelated,
}

const RELATIONS: [Rel; 8] = [
    Rel::Own,
    Rel::Partner,
    Rel::NoScope,
    Rel::Proposed,
    Rel::Expired,
    Rel::Terminated,
    Rel::Withdrew,
    Rel::Unrelated,
];

impl Rel {
    fn parse(s: &str) -> Option<Rel> {
        Some(match s {
            "-" => return None,
            "own" => Rel::Own,
            "partner" => Rel::Partner,
            "noscope" => Rel::NoScope,
            "proposed" => Rel::Proposed,
            "expired" => Rel::Expired,
            "terminated" => Rel::Terminated,
            "withdrew" => Rel::Withdrew,
            "unrelated" => Rel::Unrelated,
            other => panic!("unknown relation {other:?} in the matrix"),
        })
    }
}

struct Row {
    line: usize,
    op: String,
    rel: Option<Rel>,
    expected: [Outcome; 10],
}

fn parse_matrix() -> Vec<Row> {
    let mut rows = Vec::new();
    for (i, line) in MATRIX.lines().enumerate() {
        let line_no = i + 1;
        let line = line.split('#').next().unwrap().trim();
        if line.is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            cells.len(),
            12,
            "authorization_matrix.txt:{line_no}: expected 12 columns, got {}",
            cells.len()
        );
        let expected: Vec<Outcome> = cells[2..].iter().map(|c| Outcome::parse(c)).collect();
        rows.push(Row {
            line: line_no,
            op: cells[0].to_owned(),
            rel: Rel::parse(cells[1]),
            expected: expected.try_into().unwrap(),
        });
    }
    rows
}

/// Root fields of Query and Mutation in the committed schema.
fn schema_operations() -> BTreeSet<String> {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let sdl =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql")).unwrap();
    let doc = async_graphql::parser::parse_schema(&sdl).unwrap();
    let mut ops = BTreeSet::new();
    for def in doc.definitions {
        if let TypeSystemDefinition::Type(t) = def
            && matches!(t.node.name.node.as_str(), "Query" | "Mutation")
            && let TypeKind::Object(o) = &t.node.kind
        {
            ops.extend(o.fields.iter().map(|f| f.node.name.node.to_string()));
        }
    }
    ops
}

#[test]
fn matrix_covers_every_operation() {
    let rows = parse_matrix();
    let mut by_op: HashMap<&str, Vec<Option<Rel>>> = HashMap::new();
    for row in &rows {
        by_op.entry(&row.op).or_default().push(row.rel);
    }
    let missing: Vec<String> = schema_operations()
        .into_iter()
        .filter(|op| !by_op.contains_key(op.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "operations missing from tests/it/authorization_matrix.txt: {missing:?}"
    );
    for (op, rels) in &by_op {
        if rels.contains(&None) {
            assert_eq!(
                rels.len(),
                1,
                "{op}: a `-` row must be the operation's only row"
            );
        } else {
            for rel in RELATIONS {
                assert_eq!(
                    rels.iter().filter(|r| **r == Some(rel)).count(),
                    1,
                    "{op}: needs exactly one row for {rel:?}"
                );
            }
        }
    }
}

/// A token without READ gets nothing back from a mutation but the changed
/// object's `id` (and `__typename`); `side_doors/tokens.rs` proves that. So that its
/// column shows whether it may *do* each thing, its probes ask for
/// `__typename` where the other callers read fields: the root field's
/// selection set (the first `{` outside its arguments) is replaced.
fn typename_only(query: &str) -> String {
    let Some(body) = query.find('{') else {
        return query.to_owned();
    };
    let (mut parens, mut open) = (0, None);
    for (i, ch) in query[body + 1..].char_indices() {
        match ch {
            '(' => parens += 1,
            ')' => parens -= 1,
            '{' if parens == 0 => {
                open = Some(body + 1 + i);
                break;
            }
            _ => {}
        }
    }
    let Some(open) = open else {
        return query.to_owned(); // a scalar answer
    };
    let mut depth = 0;
    for (i, ch) in query[open..].char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    let close = open + i;
                    return format!("{}{{ __typename }}{}", &query[..open], &query[close + 1..]);
                }
            }
            _ => {}
        }
    }
    query.to_owned()
}

#[test]
fn write_only_probes_ask_for_the_typename() {
    assert_eq!(
        typename_only("mutation($id: ID!) { cancelBooking(id: $id) { status space { id } } }"),
        "mutation($id: ID!) { cancelBooking(id: $id) { __typename } }"
    );
    assert_eq!(
        typename_only("mutation { createOrganization(input: { slug: \"x\" }) { id } }"),
        "mutation { createOrganization(input: { slug: \"x\" }) { __typename } }"
    );
    let scalar = "mutation($o: ID!) { removeMember(organizationId: $o, userId: $o) }";
    assert_eq!(typename_only(scalar), scalar);
}

fn error_outcome(r: &Gql) -> Outcome {
    match r.code() {
        "UNAUTHENTICATED" => Outcome::Unauth,
        "FORBIDDEN" => Outcome::Forbidden,
        "NOT_FOUND" => Outcome::NotFound,
        "BAD_USER_INPUT" => Outcome::BadInput,
        "CONFLICT" => Outcome::Conflict,
        other => panic!("unexpected error code {other}: {}", r.body),
    }
}

/// OK when it succeeded.
fn done(r: Gql) -> Outcome {
    if r.is_ok() {
        Outcome::Ok
    } else {
        error_outcome(&r)
    }
}

/// OK when it succeeded and `visible` finds the protected data; EMPTY when
/// it succeeded without it.
fn shown(r: Gql, visible: impl Fn(&Value) -> bool) -> Outcome {
    if !r.is_ok() {
        return error_outcome(&r);
    }
    if visible(r.data()) {
        Outcome::Ok
    } else {
        Outcome::Empty
    }
}

db_test! {
    async fn authorization_matrix(app) {
        let world = World::build(&app).await;
        let mut failures = Vec::new();
        let rows = parse_matrix();
        for row in &rows {
            for (caller, expected) in CALLERS.iter().zip(row.expected) {
                let got = world.probe(&row.op, row.rel, *caller, expected == Outcome::Ok).await;
                if got != expected {
                    failures.push(format!(
                        "line {}: {} / {} / {:?}: expected {expected}, got {got}",
                        row.line,
                        row.op,
                        row.rel.map(|r| format!("{r:?}")).unwrap_or_else(|| "-".into()),
                        caller
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{} of {} cells differ:\n{}", failures.len(), rows.len() * CALLERS.len(), failures.join("\n"));
    }
}
