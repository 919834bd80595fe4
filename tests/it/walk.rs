//! The nested-read walk: every field that returns an object or a list
//! applies the policy for that object exactly as the root read would.
//!
//! An object reached through a nested field (`booking(id:) { space {
//! bookings { organization } } }`) must be one that the root read of its
//! type (`space(id:)`, `booking(id:)`, …) returns to the same caller, and
//! it must show the same values. The walk checks that for every caller of
//! the authorization matrix (`authz.rs`'s `World`), generated from the
//! committed `schema.graphql`, so a new field or type is walked without
//! editing this file:
//!
//! 1. The schema is parsed at run time into types and fields.
//! 2. Arguments come from [`Env::args`]: `first` (1 on a path step, 100 in
//!    projections and root reads), `after` (the previous item's cursor on a
//!    path step), `from`/`to` (a window from yesterday to 300 days ahead);
//!    other optional arguments are omitted, and an unknown REQUIRED one
//!    panics ("no argument provider for Type.field(arg)").
//! 3. The roots are every Query field returning objects: as they are, per
//!    known id (`x(id:)`), or per known object of the type an `xId: ID!`
//!    argument names (`auditLog(organizationId:)`). The ids are what the
//!    platform admin's walk finds plus the World's.
//! 4. Every object found is read again along its path, selecting its
//!    *projection* (every scalar field, the identity of every object field,
//!    `totalCount pageInfo { hasNextPage } edges { cursor node { identity }
//!    }` of every connection), and compared with the same projection read
//!    by the root read of its type ([`ROOT_READS`]). Then the derived
//!    checks ([`DERIVED`]) run, and its object fields are enqueued with the
//!    path extended: through a connection one item per level
//!    (`field(first: 1, after: …)`), through a list picked by identity.
//!    Paths stop at [`MAX_STEPS`] steps, and where the query would break
//!    the server's limits (depth 10, 200,000 nodes).
//!
//! Extending it: a new object type needs a line in [`ROOT_READS`] (the
//! test fails until it has one), and one in [`IDENTITIES`] when it has no
//! `id: ID!`; a new required argument needs a case in [`Env::args`]; a
//! value that may legitimately change between two reads goes into
//! [`VOLATILE`]; a relation like "a count equals the length of a list" is
//! one line in [`DERIVED`].

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use chrono::{DateTime, FixedOffset};
use futures::StreamExt;
use serde_json::{Value, json};

use crate::authz::{CALLERS, Caller, World};
use crate::db_test;
use crate::support::{Gql, TestApp};

// ---------------------------------------------------------------- tables

/// How an object of each type is read at the root: the read a nested read
/// must agree with. Every object type the walk reaches needs an entry
/// (except the structural `*Connection`, `*Edge` and `PageInfo`, which are
/// walked through): reaching one without fails the test, so a new type
/// forces a decision.
const ROOT_READS: &[(&str, RootRead)] = &[
    ("Organization", RootRead::by_id("organization")),
    ("Agreement", RootRead::by_id("agreement")),
    ("Space", RootRead::by_id("space")),
    ("Booking", RootRead::by_id("booking")),
    (
        "AuditEntry",
        RootRead::Query {
            field: "auditLog",
            arg: Some(("organizationId", "organization.id")),
            within: None,
        },
    ),
    (
        "ApiToken",
        RootRead::Query {
            field: "myApiTokens",
            arg: None,
            within: None,
        },
    ),
    (
        "Invitation",
        RootRead::Query {
            field: "organization",
            arg: Some(("id", "organization.id")),
            within: Some("pendingInvitations"),
        },
    ),
    (
        "Membership",
        RootRead::Query {
            field: "organization",
            arg: Some(("id", "organization.id")),
            within: Some("members"),
        },
    ),
    ("AgreementParty", RootRead::Contextual),
    ("PartyConsent", RootRead::Contextual),
    ("TimeSlot", RootRead::Contextual),
    ("User", RootRead::PublicFace(USER_PUBLIC_FACE)),
    ("AuthPayload", RootRead::MutationOnly),
    ("CreatedApiToken", RootRead::MutationOnly),
];

#[derive(Debug, Clone, Copy)]
enum RootRead {
    /// `Query.<field>`, with `arg` (argument name, dotted path of the value
    /// in the object) when given; the object is the answer itself, or is
    /// found by identity in it (a list or a connection, paged with `first:
    /// 100`), or in its field `within`.
    Query {
        field: &'static str,
        arg: Option<(&'static str, &'static str)>,
        within: Option<&'static str>,
    },
    /// Exists only inside its parent: re-read through the parent's own root
    /// read plus the same field, found by identity.
    Contextual,
    /// No root read exists: the caller's own one shows anything, anyone
    /// else's only what the face allows.
    PublicFace(&'static [(&'static str, Face)]),
    /// Returned only by mutations; a read reaching it is a failure.
    MutationOnly,
}

impl RootRead {
    const fn by_id(field: &'static str) -> RootRead {
        RootRead::Query {
            field,
            arg: Some(("id", "id")),
            within: None,
        }
    }
}

/// A user other than the caller's own person.
const USER_PUBLIC_FACE: &[(&str, Face)] = &[
    ("email", Face::NullUnlessPlatformAdmin),
    ("memberships", Face::Empty),
    ("isPlatformAdmin", Face::FalseUnlessPlatformAdmin),
    ("suspendedAt", Face::NullUnlessPlatformAdmin),
];

#[derive(Debug, Clone, Copy)]
enum Face {
    NullUnlessPlatformAdmin,
    FalseUnlessPlatformAdmin,
    Empty,
}

/// The identity (dotted paths) of types without `id: ID!`; types in neither
/// are told apart by nothing (`__typename`), which only works for single
/// objects.
const IDENTITIES: &[(&str, &[&str])] = &[
    ("Membership", &["organization.id", "user.id"]),
    ("AgreementParty", &["organization.id"]),
    ("PartyConsent", &["organization.id"]),
    ("TimeSlot", &["startsAt", "endsAt"]),
];

/// Edges (parent type, field) that may lead to an object its root read does
/// not return: such an object is a *reference*, showing only its
/// [`REFERENCE_FIELDS`]; every other scalar is null (`false` for a
/// Boolean), every other single object null, and its lists are walked as
/// usual (so each item in them must pass its own root read).
const REFERENCE_EDGES: &[(&str, &str)] = &[("Booking", "space")];

/// What a reference of each type may show.
const REFERENCE_FIELDS: &[(&str, &[&str])] =
    &[("Space", &["id", "name", "owner", "requiresApproval"])];

/// Fields left out of value comparisons: they may change between two reads.
const VOLATILE: &[(&str, &str)] = &[("ApiToken", "lastUsedAt")];

/// Checks within one projection. `on` is the type (None: every type,
/// including the root listings); `needs` adds fields to the selection of
/// an object field of that type (field, subfields) for the check to use.
const DERIVED: &[Derived] = &[
    Derived {
        on: None,
        what: "no totalCount reveals more",
        needs: &[],
        check: counts_match_edges,
    },
    Derived {
        on: Some("Space"),
        what: "busy is the merge of bookings",
        needs: &[("bookings", &["startsAt", "endsAt"])],
        check: busy_merges_bookings,
    },
];

struct Derived {
    on: Option<&'static str>,
    what: &'static str,
    needs: &'static [(&'static str, &'static [&'static str])],
    check: fn(&Env, &str, &Value) -> Result<(), String>,
}

/// Paths stop growing at this many steps.
const MAX_STEPS: usize = 4;
/// The server's request limits (docs/api.md, "Request limits"); the walk
/// stays within them, and a QUERY_TOO_COMPLEX answer is a bug in the walk.
const MAX_DEPTH: usize = 10;
const MAX_NODES: u64 = 200_000;
const LIST_FANOUT: u64 = 10;
const DEFAULT_FIRST: u64 = 20;
/// `first` of connections in projections: 100, less where 100 would break
/// the node limit deep in a path (the root read then uses the same).
const PROJECTION_FIRSTS: [u32; 3] = [100, 10, 1];
/// Requests in flight per caller.
const CONCURRENCY: usize = 8;
/// A root read pages at most this far to find an object.
const MAX_PAGES: usize = 100;
/// "Some dozens" of objects the OWNER and the platform admin must check.
const MIN_CHECKED: usize = 36;
/// Codes by which a root read says "not for you".
const HIDDEN: &[&str] = &["NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED"];
const OPERATION_TYPES: &[&str] = &["Query", "Mutation", "Subscription"];

fn is_connection(ty: &str) -> bool {
    ty.ends_with("Connection")
}

fn is_structural(ty: &str) -> bool {
    is_connection(ty) || ty.ends_with("Edge") || ty == "PageInfo"
}

// ---------------------------------------------------------------- schema

struct FieldDef {
    name: String,
    args: Vec<ArgDef>,
    /// The named type, lists and non-null unwrapped.
    ty: String,
    list: bool,
    non_null: bool,
}

struct ArgDef {
    name: String,
    ty: String,
    required: bool,
}

struct Schema {
    objects: BTreeMap<String, Vec<FieldDef>>,
    /// Scalars and enums.
    leaves: BTreeSet<String>,
}

fn named(ty: &Type) -> String {
    match &ty.base {
        BaseType::Named(name) => name.to_string(),
        BaseType::List(inner) => named(inner),
    }
}

impl Schema {
    fn load() -> Schema {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql");
        let sdl = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
        let doc = async_graphql::parser::parse_schema(&sdl)
            .unwrap_or_else(|e| panic!("parse schema.graphql: {e}"));
        let mut objects = BTreeMap::new();
        let mut leaves: BTreeSet<String> = ["ID", "String", "Int", "Float", "Boolean"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        for def in doc.definitions {
            let TypeSystemDefinition::Type(t) = def else {
                continue;
            };
            let name = t.node.name.node.to_string();
            match &t.node.kind {
                TypeKind::Scalar | TypeKind::Enum(_) => {
                    leaves.insert(name);
                }
                TypeKind::Object(o) => {
                    let fields = o.fields.iter().map(|f| field_def(&f.node)).collect();
                    objects.insert(name, fields);
                }
                TypeKind::Interface(_) | TypeKind::Union(_) => {
                    panic!("{name}: the walk does not handle interfaces or unions yet")
                }
                TypeKind::InputObject(_) => {}
            }
        }
        Schema { objects, leaves }
    }

    fn fields(&self, ty: &str) -> &[FieldDef] {
        self.objects
            .get(ty)
            .unwrap_or_else(|| panic!("{ty} is not an object type of schema.graphql"))
    }

    fn field(&self, ty: &str, name: &str) -> Option<&FieldDef> {
        self.objects.get(ty)?.iter().find(|f| f.name == name)
    }

    fn is_leaf(&self, ty: &str) -> bool {
        self.leaves.contains(ty)
    }

    fn has_id(&self, ty: &str) -> bool {
        self.field(ty, "id")
            .is_some_and(|f| f.ty == "ID" && f.non_null && !f.list)
    }
}

fn field_def(f: &async_graphql::parser::types::FieldDefinition) -> FieldDef {
    let ty = &f.ty.node;
    FieldDef {
        name: f.name.node.to_string(),
        args: f
            .arguments
            .iter()
            .map(|a| ArgDef {
                name: a.node.name.node.to_string(),
                ty: named(&a.node.ty.node),
                required: !a.node.ty.node.nullable && a.node.default_value.is_none(),
            })
            .collect(),
        ty: named(ty),
        list: matches!(ty.base, BaseType::List(_)),
        non_null: !ty.nullable,
    }
}

// ---------------------------------------------------------------- selections

type Args = Vec<(String, Value)>;

/// A selection set: field name → arguments and subselection (no aliases,
/// so a field appears once, and merging two selections merges its
/// subselections).
#[derive(Debug, Clone, Default)]
struct Sel(BTreeMap<String, Node>);

#[derive(Debug, Clone, Default)]
struct Node {
    args: Args,
    sel: Sel,
}

impl Sel {
    fn with(name: &str, args: Args, sel: Sel) -> Sel {
        let mut s = Sel::default();
        s.add(name, args, sel);
        s
    }

    fn add(&mut self, name: &str, args: Args, sel: Sel) {
        match self.0.get_mut(name) {
            Some(node) => {
                assert_eq!(
                    node.args, args,
                    "walk bug: `{name}` selected twice with different arguments"
                );
                node.sel.merge(sel);
            }
            None => {
                self.0.insert(name.to_owned(), Node { args, sel });
            }
        }
    }

    fn merge(&mut self, other: Sel) {
        for (name, node) in other.0 {
            self.add(&name, node.args, node.sel);
        }
    }

    fn write(&self, out: &mut String) {
        for (name, node) in &self.0 {
            out.push_str(name);
            if !node.args.is_empty() {
                let args: Vec<String> =
                    node.args.iter().map(|(n, v)| format!("{n}: {v}")).collect();
                out.push('(');
                out.push_str(&args.join(", "));
                out.push(')');
            }
            if node.sel.0.is_empty() {
                out.push(' ');
            } else {
                out.push_str(" { ");
                node.sel.write(out);
                out.push_str("} ");
            }
        }
    }
}

/// How a step goes from a parent to one child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    Single,
    /// A plain list: the child is picked by identity.
    List,
    /// A connection: `edges { cursor node }`, the child picked by identity.
    Connection,
}

fn via_of(f: &FieldDef) -> Via {
    if is_connection(&f.ty) {
        Via::Connection
    } else if f.list {
        Via::List
    } else {
        Via::Single
    }
}

/// One field on a path (or in a root read), leading to one object.
#[derive(Debug, Clone)]
struct Step {
    parent: String,
    field: String,
    args: Args,
    via: Via,
    child: String,
    /// The child's identity; `None` where there is nothing to pick or
    /// verify (a single object looked up by its id).
    identity: Option<Value>,
}

/// Where [`Env::follow`] did not find the object.
struct Miss {
    why: String,
    /// (step, cursor) to read the next page from, when the step is a
    /// connection with more pages.
    next_page: Option<(usize, String)>,
}

/// How a caller's argument is used.
#[derive(Debug, Clone, Copy)]
enum Mode<'a> {
    /// A step of a walk path; through a connection, one item after this
    /// cursor.
    Step(Option<&'a str>),
    /// A root read or listing: pages of 100.
    Lookup,
    /// Inside a projection, with this `first`.
    Projection(u32),
}

/// What is fixed for the whole run: the schema, the window, the projections.
struct Env {
    schema: Schema,
    /// `from`, `to` of every `DateTime` window argument.
    window: (String, String),
    projections: HashMap<(String, u32), Sel>,
}

impl Env {
    fn new(app: &TestApp) -> Env {
        use crate::support::fixtures::at;
        let mut env = Env {
            schema: Schema::load(),
            window: (at(app, -24), at(app, 300 * 24)),
            projections: HashMap::new(),
        };
        // Built for every type up front, so a missing argument provider
        // fails at once rather than when a walk happens to reach the type.
        let types: Vec<String> = env
            .schema
            .objects
            .keys()
            .filter(|t| !OPERATION_TYPES.contains(&t.as_str()) && !is_structural(t))
            .cloned()
            .collect();
        for ty in types {
            for first in PROJECTION_FIRSTS {
                let projection = env.build_projection(&ty, first);
                env.projections.insert((ty.clone(), first), projection);
            }
        }
        env
    }

    /// The argument provider.
    fn args(&self, owner: &str, f: &FieldDef, mode: Mode<'_>, fixed: &[(String, Value)]) -> Args {
        let mut out: Args = fixed.to_vec();
        for a in &f.args {
            if fixed.iter().any(|(name, _)| *name == a.name) {
                continue;
            }
            let value = match (a.name.as_str(), a.ty.as_str(), mode) {
                ("first", "Int", Mode::Step(_)) => Some(json!(1)),
                ("first", "Int", Mode::Lookup) => Some(json!(100)),
                ("first", "Int", Mode::Projection(n)) => Some(json!(n)),
                ("after", "String", Mode::Step(Some(cursor))) => Some(json!(cursor)),
                ("from", "DateTime", _) => Some(json!(self.window.0)),
                ("to", "DateTime", _) => Some(json!(self.window.1)),
                _ => None,
            };
            match value {
                Some(v) => out.push((a.name.clone(), v)),
                None if a.required => panic!(
                    "no argument provider for {owner}.{}({}): teach `Env::args` in tests/it/walk.rs",
                    f.name, a.name
                ),
                None => {}
            }
        }
        out
    }

    fn child_type(&self, f: &FieldDef) -> String {
        if is_connection(&f.ty) {
            self.node_type(&f.ty)
        } else {
            f.ty.clone()
        }
    }

    fn edge_type(&self, connection: &str) -> String {
        self.schema
            .field(connection, "edges")
            .unwrap_or_else(|| panic!("connection {connection} has no `edges`"))
            .ty
            .clone()
    }

    fn node_type(&self, connection: &str) -> String {
        let edge = self.edge_type(connection);
        self.schema
            .field(&edge, "node")
            .unwrap_or_else(|| panic!("edge {edge} has no `node`"))
            .ty
            .clone()
    }

    fn identity_paths(&self, ty: &str) -> Vec<&'static str> {
        if self.schema.has_id(ty) {
            return vec!["id"];
        }
        match IDENTITIES.iter().find(|(t, _)| *t == ty) {
            Some((_, paths)) => paths.to_vec(),
            None => vec!["__typename"],
        }
    }

    fn identity_sel(&self, ty: &str) -> Sel {
        let mut sel = Sel::default();
        for path in self.identity_paths(ty) {
            let mut inner = Sel::default();
            for part in path.split('.').rev() {
                inner = Sel::with(part, Vec::new(), inner);
            }
            sel.merge(inner);
        }
        sel
    }

    fn identity_of(&self, ty: &str, v: &Value) -> Value {
        let parts = self
            .identity_paths(ty)
            .into_iter()
            .map(|p| v.pointer(&pointer(p)).cloned().unwrap_or(Value::Null))
            .collect();
        Value::Array(parts)
    }

    fn build_projection(&self, ty: &str, first: u32) -> Sel {
        let mut sel = Sel::default();
        for f in self.schema.fields(ty) {
            let args = self.args(ty, f, Mode::Projection(first), &[]);
            let child = self.child_type(f);
            if !self.schema.is_leaf(&child)
                && (f.list || is_connection(&f.ty))
                && self.identity_paths(&child) == ["__typename"]
            {
                panic!(
                    "{ty}.{} lists {child}, which has no identity: add it to IDENTITIES",
                    f.name
                );
            }
            let sub = if self.schema.is_leaf(&f.ty) {
                Sel::default()
            } else if is_connection(&f.ty) {
                self.connection_sel(&f.ty)
            } else {
                let mut sub = self.identity_sel(&f.ty);
                for d in DERIVED.iter().filter(|d| d.on.is_none_or(|on| on == ty)) {
                    for (_, extra) in d.needs.iter().filter(|(field, _)| *field == f.name) {
                        for leaf in *extra {
                            sub.add(leaf, Vec::new(), Sel::default());
                        }
                    }
                }
                sub
            };
            sel.add(&f.name, args, sub);
        }
        sel
    }

    fn projection(&self, ty: &str, first: u32) -> &Sel {
        self.projections
            .get(&(ty.to_owned(), first))
            .unwrap_or_else(|| panic!("walk bug: no projection of {ty}"))
    }

    /// A connection in a projection or root listing: its counts,
    /// `pageInfo { hasNextPage }` and its edges with the nodes' identities
    /// (not `nodes`: the edges carry the same items).
    fn connection_sel(&self, connection: &str) -> Sel {
        let mut sel = Sel::default();
        for f in self.schema.fields(connection) {
            if f.name == "nodes" {
                continue;
            }
            if self.schema.is_leaf(&f.ty) {
                sel.add(&f.name, Vec::new(), Sel::default());
            } else if f.ty == "PageInfo" {
                sel.add(
                    &f.name,
                    Vec::new(),
                    Sel::with("hasNextPage", Vec::new(), Sel::default()),
                );
            } else if f.name == "edges" {
                let node = self.identity_sel(&self.node_type(connection));
                sel.add(&f.name, Vec::new(), self.edge_sel(&f.ty, node));
            } else {
                panic!(
                    "{connection}.{}: teach the walk this part of a connection",
                    f.name
                );
            }
        }
        sel
    }

    fn edge_sel(&self, edge: &str, node: Sel) -> Sel {
        let mut sel = Sel::default();
        for f in self.schema.fields(edge) {
            if self.schema.is_leaf(&f.ty) {
                sel.add(&f.name, Vec::new(), Sel::default());
            } else if f.name == "node" {
                sel.add("node", Vec::new(), node.clone());
            } else {
                panic!("{edge}.{}: teach the walk this part of an edge", f.name);
            }
        }
        sel
    }

    /// `leaf` selected at the end of `steps`, with every step's identity.
    fn along(&self, steps: &[Step], leaf: Sel) -> Sel {
        let mut inner = leaf;
        for step in steps.iter().rev() {
            let mut here = self.identity_sel(&step.child);
            here.merge(inner);
            let sub = match step.via {
                Via::Single | Via::List => here,
                Via::Connection => {
                    let connection = &self
                        .schema
                        .field(&step.parent, &step.field)
                        .unwrap_or_else(|| panic!("walk bug: no {}.{}", step.parent, step.field))
                        .ty;
                    let mut sub = Sel::with(
                        "pageInfo",
                        Vec::new(),
                        Sel::with("hasNextPage", Vec::new(), Sel::default()),
                    );
                    sub.add(
                        "edges",
                        Vec::new(),
                        self.edge_sel(&self.edge_type(connection), here),
                    );
                    sub
                }
            };
            inner = Sel::with(&step.field, step.args.clone(), sub);
        }
        inner
    }

    fn query(&self, sel: &Sel) -> String {
        let mut out = String::from("{ ");
        sel.write(&mut out);
        out.push('}');
        out
    }

    /// Depth and nodes of a query, counted as the server counts them.
    fn cost(&self, sel: &Sel) -> (usize, u64) {
        let (mut depth, mut nodes) = (0, 0);
        self.measure("Query", sel, 1, 0, &mut depth, &mut nodes);
        (depth, nodes)
    }

    fn measure(
        &self,
        ty: &str,
        sel: &Sel,
        mult: u64,
        depth: usize,
        max: &mut usize,
        nodes: &mut u64,
    ) {
        for (name, node) in &sel.0 {
            if name.starts_with("__") {
                continue;
            }
            let depth = depth + 1;
            *max = (*max).max(depth);
            let f = self
                .schema
                .field(ty, name)
                .unwrap_or_else(|| panic!("walk bug: {ty}.{name} is not in the schema"));
            let fanout = if is_connection(&f.ty) {
                let first = node.args.iter().find(|(n, _)| n == "first");
                Some(first.and_then(|(_, v)| v.as_u64()).unwrap_or(DEFAULT_FIRST))
            } else if f.list && !is_connection(ty) && !node.sel.0.is_empty() {
                Some(LIST_FANOUT)
            } else {
                None
            };
            let m = fanout.map_or(mult, |n| mult.saturating_mul(n));
            if fanout.is_some() {
                *nodes = nodes.saturating_add(m);
            }
            if !node.sel.0.is_empty() {
                self.measure(&f.ty, &node.sel, m, depth, max, nodes);
            }
        }
    }

    /// The largest projection `first` with which `ty` read along `path`
    /// stays within the server's limits; `None` when none does.
    fn fitting_first(&self, path: &[Step], ty: &str) -> Option<u32> {
        PROJECTION_FIRSTS.into_iter().find(|&first| {
            let (depth, nodes) = self.cost(&self.along(path, self.projection(ty, first).clone()));
            depth <= MAX_DEPTH && nodes <= MAX_NODES
        })
    }

    /// The object at the end of `steps` in a response's `data`.
    fn follow<'v>(&self, data: &'v Value, steps: &[Step]) -> Result<&'v Value, Miss> {
        let mut here = data;
        for (i, step) in steps.iter().enumerate() {
            let v = &here[step.field.as_str()];
            let miss = |why: String, next_page: Option<(usize, String)>| Miss {
                why: format!("{}: {why}", step_text(step)),
                next_page,
            };
            let wanted =
                |x: &&Value| Some(&self.identity_of(&step.child, x)) == step.identity.as_ref();
            here = match step.via {
                Via::Single => {
                    if v.is_null() {
                        return Err(miss("null".into(), None));
                    }
                    if let Some(want) = &step.identity
                        && self.identity_of(&step.child, v) != *want
                    {
                        return Err(miss(
                            format!("is {}", self.identity_of(&step.child, v)),
                            None,
                        ));
                    }
                    v
                }
                Via::List => {
                    let Some(items) = v.as_array() else {
                        return Err(miss(format!("not a list: {v}"), None));
                    };
                    match items.iter().find(wanted) {
                        Some(x) => x,
                        None => return Err(miss("not in the list".into(), None)),
                    }
                }
                Via::Connection => {
                    let Some(edges) = v["edges"].as_array() else {
                        return Err(miss(format!("not a connection: {v}"), None));
                    };
                    match edges.iter().map(|e| &e["node"]).find(wanted) {
                        Some(x) => x,
                        None => {
                            let next = edges
                                .last()
                                .and_then(|e| e["cursor"].as_str())
                                .filter(|_| v["pageInfo"]["hasNextPage"] == true)
                                .map(|c| (i, c.to_owned()));
                            return Err(miss("not on this page".into(), next));
                        }
                    }
                }
            };
        }
        Ok(here)
    }

    /// The steps of the root read of an object whose type `Query.field`
    /// reads (see [`RootRead::Query`]).
    fn query_chain(
        &self,
        ty: &str,
        obj: &Value,
        identity: &Value,
        read: RootRead,
    ) -> Result<Chain, String> {
        let RootRead::Query { field, arg, within } = read else {
            unreachable!("query_chain is for RootRead::Query")
        };
        let root = self
            .schema
            .field("Query", field)
            .unwrap_or_else(|| panic!("ROOT_READS: Query.{field} is not in schema.graphql"));
        let mut fixed = Args::new();
        if let Some((name, from)) = arg {
            let v = obj.pointer(&pointer(from)).cloned().unwrap_or(Value::Null);
            if v.is_null() {
                return Err(format!("cannot re-read it at the root: its {from} is null"));
            }
            fixed.push((name.to_owned(), v));
        }
        let args = self.args("Query", root, Mode::Lookup, &fixed);
        let shown: Vec<String> = fixed.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        let mut prefix = format!("{field}({})", shown.join(", "));
        let steps = match within {
            None => vec![self.lookup_step("Query", root, args, ty, identity)],
            Some(inner) => {
                assert!(
                    via_of(root) == Via::Single,
                    "ROOT_READS: Query.{field} must return one object to look inside"
                );
                let inner_field = self.schema.field(&root.ty, inner).unwrap_or_else(|| {
                    panic!("ROOT_READS: {}.{inner} is not in schema.graphql", root.ty)
                });
                let inner_args = self.args(&root.ty, inner_field, Mode::Lookup, &[]);
                prefix = format!("{prefix}.{inner}");
                vec![
                    Step {
                        parent: "Query".into(),
                        field: field.into(),
                        args,
                        via: Via::Single,
                        child: root.ty.clone(),
                        identity: None,
                    },
                    self.lookup_step(&root.ty, inner_field, inner_args, ty, identity),
                ]
            }
        };
        Ok(Chain::new(steps, prefix, identity))
    }

    /// The root read of a contextual object: its parent's, plus the field.
    fn within(&self, parent: &Chain, item: &Item) -> Chain {
        let last = item
            .path
            .last()
            .expect("a contextual object has a parent on its path");
        let f = self
            .schema
            .field(&last.parent, &last.field)
            .unwrap_or_else(|| panic!("walk bug: no {}.{}", last.parent, last.field));
        let args = self.args(&last.parent, f, Mode::Lookup, &[]);
        let mut steps = parent.steps.clone();
        steps.push(self.lookup_step(&last.parent, f, args, &item.ty, &item.identity));
        Chain::new(
            steps,
            format!("{}.{}", parent.key, last.field),
            &item.identity,
        )
    }

    fn lookup_step(
        &self,
        owner: &str,
        f: &FieldDef,
        args: Args,
        ty: &str,
        identity: &Value,
    ) -> Step {
        let via = via_of(f);
        let child = self.child_type(f);
        assert_eq!(
            child, ty,
            "ROOT_READS: {owner}.{} returns {child}, not {ty}",
            f.name
        );
        Step {
            parent: owner.into(),
            field: f.name.clone(),
            args,
            via,
            child,
            identity: (via != Via::Single).then(|| identity.clone()),
        }
    }
}

fn pointer(dotted: &str) -> String {
    format!("/{}", dotted.replace('.', "/"))
}

/// An identity as text: the bare id when it is one string.
fn short(identity: &Value) -> String {
    match identity.as_array().map(Vec::as_slice) {
        Some([Value::String(s)]) => s.clone(),
        _ => identity.to_string(),
    }
}

fn step_text(step: &Step) -> String {
    let shown: Vec<String> = step
        .args
        .iter()
        .filter(|(n, _)| !matches!(n.as_str(), "first" | "after" | "from" | "to"))
        .map(|(n, v)| format!("{n}: {v}"))
        .collect();
    let mut text = step.field.clone();
    if !shown.is_empty() {
        text.push_str(&format!("({})", shown.join(", ")));
    }
    if step.via != Via::Single
        && let Some(identity) = &step.identity
    {
        text.push_str(&format!("[{}]", short(identity)));
    }
    text
}

fn path_text(steps: &[Step]) -> String {
    steps.iter().map(step_text).collect::<Vec<_>>().join(".")
}

// ---------------------------------------------------------------- derived checks

/// A connection with no next page has exactly `totalCount` edges.
fn counts_match_edges(env: &Env, ty: &str, obj: &Value) -> Result<(), String> {
    let mut problems = Vec::new();
    for f in env
        .schema
        .fields(ty)
        .iter()
        .filter(|f| is_connection(&f.ty))
    {
        let c = &obj[f.name.as_str()];
        if c.is_null() || c.get("totalCount").is_none() || c["pageInfo"]["hasNextPage"] != false {
            continue;
        }
        let edges = c["edges"].as_array().map_or(0, Vec::len);
        if c["totalCount"].as_u64() != Some(edges as u64) {
            problems.push(format!(
                "{}.totalCount is {} but it has {edges} edges and no next page",
                f.name, c["totalCount"]
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

type Interval = (DateTime<FixedOffset>, DateTime<FixedOffset>);

/// `busy` is the bookings' intervals, touching or overlapping ones joined,
/// clipped to the window.
fn busy_merges_bookings(env: &Env, _ty: &str, space: &Value) -> Result<(), String> {
    let (from, to) = (instant(&env.window.0)?, instant(&env.window.1)?);
    let mut spans = intervals(&space["bookings"])?;
    spans.sort();
    let mut merged: Vec<Interval> = Vec::new();
    for (start, end) in spans {
        let (start, end) = (start.max(from), end.min(to));
        if start >= end {
            continue;
        }
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let busy = intervals(&space["busy"])?;
    if busy == merged {
        Ok(())
    } else {
        Err(format!(
            "busy is {} but the bookings merge to {}",
            show_intervals(&busy),
            show_intervals(&merged)
        ))
    }
}

fn intervals(list: &Value) -> Result<Vec<Interval>, String> {
    let items = list
        .as_array()
        .ok_or_else(|| format!("not a list: {list}"))?;
    items
        .iter()
        .map(|x| -> Result<Interval, String> {
            let start = x["startsAt"]
                .as_str()
                .ok_or("an interval without startsAt")?;
            let end = x["endsAt"].as_str().ok_or("an interval without endsAt")?;
            Ok((instant(start)?, instant(end)?))
        })
        .collect()
}

fn instant(s: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(s).map_err(|e| format!("{s:?} is not a date-time: {e}"))
}

fn show_intervals(spans: &[Interval]) -> String {
    let parts: Vec<String> = spans
        .iter()
        .map(|(s, e)| format!("{}–{}", s.to_rfc3339(), e.to_rfc3339()))
        .collect();
    format!("[{}]", parts.join(", "))
}

// ---------------------------------------------------------------- the walk

type Known = BTreeMap<String, BTreeSet<String>>;

/// The steps of an object's root read and the key its answer is cached by.
#[derive(Debug)]
struct Chain {
    steps: Vec<Step>,
    /// Shared by the objects one answer lists (siblings).
    prefix: String,
    key: String,
}

impl Chain {
    fn new(steps: Vec<Step>, prefix: String, identity: &Value) -> Chain {
        let key = format!("{prefix}#{identity}");
        Chain { steps, prefix, key }
    }

    fn key_of(&self, identity: &Value) -> String {
        format!("{}#{identity}", self.prefix)
    }
}

/// What the check of an object says to its children.
#[derive(Debug, Clone)]
enum Parent {
    /// A root field.
    Query,
    /// It has a root read (contextual children re-read through it).
    Readable(Arc<Chain>),
    /// A reference: contextual children are part of its checked values.
    Reference,
    /// It failed its check (already reported).
    Failed,
    /// Its type has no root read.
    NoRootRead,
}

#[derive(Debug, Clone)]
struct Item {
    ty: String,
    identity: Value,
    path: Vec<Step>,
    parent: Parent,
}

impl Item {
    /// (type, identity, `Parent.field`); a contextual object's identity is
    /// qualified by its parent's (home's party in each agreement is walked).
    fn dedupe_key(&self) -> (String, String, String) {
        let edge = self
            .path
            .last()
            .map(|s| format!("{}.{}", s.parent, s.field))
            .unwrap_or_default();
        let mut scope = Vec::new();
        for step in self.path.iter().rev() {
            scope.push(
                step.identity
                    .as_ref()
                    .map(Value::to_string)
                    .unwrap_or_default(),
            );
            if !is_contextual(&step.child) {
                break;
            }
        }
        scope.reverse();
        (self.ty.clone(), scope.join("/"), edge)
    }
}

fn is_contextual(ty: &str) -> bool {
    ROOT_READS
        .iter()
        .any(|(t, read)| *t == ty && matches!(read, RootRead::Contextual))
}

/// A root read's answer.
#[derive(Debug, Clone)]
enum Seen {
    Found(Value),
    NotFound(String),
    Failed(String),
}

struct Failure {
    caller: Caller,
    ty: String,
    identity: String,
    path: String,
    what: String,
    nested: Value,
    root: Value,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:?}: {} {} at {}: {}",
            self.caller, self.ty, self.identity, self.path, self.what
        )?;
        if !self.nested.is_null() {
            writeln!(f, "    nested: {}", clip(&self.nested))?;
        }
        if !self.root.is_null() {
            writeln!(f, "    root:   {}", clip(&self.root))?;
        }
        Ok(())
    }
}

fn clip(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 800 {
        format!("{}…", text.chars().take(800).collect::<String>())
    } else {
        text
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().expect("a walk lock was poisoned by a panic")
}

/// " (QUERY_TOO_COMPLEX …)" when the server refused the query as too big.
fn limit_hint(r: &Gql) -> &'static str {
    let too_complex = r.body["errors"].as_array().is_some_and(|errs| {
        errs.iter()
            .any(|e| e["extensions"]["code"] == "QUERY_TOO_COMPLEX")
    });
    if too_complex {
        " (QUERY_TOO_COMPLEX: a bug in the walk, which must stay within the server's limits)"
    } else {
        ""
    }
}

/// Every error says "not for you" about the root field itself.
fn hidden_at_root(r: &Gql) -> bool {
    r.body["errors"].as_array().is_some_and(|errs| {
        !errs.is_empty()
            && errs.iter().all(|e| {
                HIDDEN.contains(&e["extensions"]["code"].as_str().unwrap_or_default())
                    && e["path"].as_array().is_none_or(|p| p.len() <= 1)
            })
    })
}

fn without_volatile(ty: &str, v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(map) = v.as_object_mut() {
        for (_, field) in VOLATILE.iter().filter(|(t, _)| *t == ty) {
            map.remove(*field);
        }
    }
    v
}

fn differing_fields(a: &Value, b: &Value) -> Vec<String> {
    match (a.as_object(), b.as_object()) {
        (Some(a), Some(b)) => a
            .keys()
            .chain(b.keys())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter(|k| a.get(*k) != b.get(*k))
            .cloned()
            .collect(),
        _ => vec!["(the whole value)".into()],
    }
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// One caller's walk.
struct Walk<'a> {
    env: &'a Env,
    app: &'a TestApp,
    caller: Caller,
    token: Option<String>,
    /// The user id of the caller's person.
    me: Option<String>,
    known: &'a Known,
    cache: Mutex<HashMap<(String, u32), Seen>>,
    failures: Mutex<Vec<Failure>>,
    found: Mutex<Known>,
    checked: AtomicUsize,
    pruned: AtomicUsize,
    requests: AtomicUsize,
}

struct Report {
    caller: Caller,
    checked: usize,
    pruned: usize,
    requests: usize,
    failures: Vec<Failure>,
    found: Known,
}

impl<'a> Walk<'a> {
    fn new(
        env: &'a Env,
        app: &'a TestApp,
        world: &World<'_>,
        caller: Caller,
        known: &'a Known,
    ) -> Self {
        Walk {
            env,
            app,
            caller,
            token: world.token(caller),
            me: world.person(caller).map(|p| p.user_id.clone()),
            known,
            cache: Mutex::new(HashMap::new()),
            failures: Mutex::new(Vec::new()),
            found: Mutex::new(Known::new()),
            checked: AtomicUsize::new(0),
            pruned: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
        }
    }

    fn finish(self) -> Report {
        Report {
            caller: self.caller,
            checked: self.checked.into_inner(),
            pruned: self.pruned.into_inner(),
            requests: self.requests.into_inner(),
            failures: self.failures.into_inner().expect("failures lock"),
            found: self.found.into_inner().expect("found lock"),
        }
    }

    async fn gql(&self, query: &str) -> Gql {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.app.gql(self.token.as_deref(), query, json!({})).await
    }

    fn fail_at(
        &self,
        ty: &str,
        identity: String,
        path: String,
        what: String,
        nested: Value,
        root: Value,
    ) {
        lock(&self.failures).push(Failure {
            caller: self.caller,
            ty: ty.to_owned(),
            identity,
            path,
            what,
            nested,
            root,
        });
    }

    fn fail(&self, item: &Item, what: String, nested: Value, root: Value) {
        self.fail_at(
            &item.ty,
            short(&item.identity),
            path_text(&item.path),
            what,
            nested,
            root,
        );
    }

    fn record(&self, ty: &str, obj: &Value) {
        if self.env.schema.has_id(ty)
            && let Some(id) = obj["id"].as_str()
        {
            lock(&self.found)
                .entry(ty.to_owned())
                .or_default()
                .insert(id.to_owned());
        }
    }

    /// Breadth first, one level of path length at a time.
    async fn run(&self) {
        let mut seen = HashSet::new();
        let mut level: Vec<Item> = self
            .roots()
            .await
            .into_iter()
            .filter(|i| seen.insert(i.dedupe_key()))
            .collect();
        while !level.is_empty() {
            let children: Vec<Vec<Item>> =
                futures::stream::iter(level.into_iter().map(|item| self.process(item)))
                    .buffer_unordered(CONCURRENCY)
                    .collect()
                    .await;
            level = children
                .into_iter()
                .flatten()
                .filter(|i| seen.insert(i.dedupe_key()))
                .collect();
        }
    }

    // ---- roots

    async fn roots(&self) -> Vec<Item> {
        let mut listings = Vec::new();
        for f in self.env.schema.fields("Query") {
            if self.env.schema.is_leaf(&f.ty) {
                continue;
            }
            for fixed in self.root_arguments(f) {
                listings.push((f, fixed));
            }
        }
        let found: Vec<Vec<Item>> = futures::stream::iter(
            listings
                .into_iter()
                .map(|(f, fixed)| self.root_listing(f, fixed)),
        )
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
        found.into_iter().flatten().collect()
    }

    /// The id arguments a root field is tried with: `id` with every known
    /// id of its type, a required `xId` with every known id of `X`.
    fn root_arguments(&self, f: &FieldDef) -> Vec<Args> {
        let keyed: Vec<(&str, String)> = f
            .args
            .iter()
            .filter(|a| a.ty == "ID")
            .filter_map(|a| {
                if a.name == "id" {
                    Some((a.name.as_str(), self.env.child_type(f)))
                } else if a.required {
                    let ty = a
                        .name
                        .strip_suffix("Id")
                        .map(upper_first)
                        .filter(|t| self.env.schema.objects.contains_key(t))
                        .unwrap_or_else(|| {
                            panic!("no argument provider for Query.{}({})", f.name, a.name)
                        });
                    Some((a.name.as_str(), ty))
                } else {
                    None
                }
            })
            .collect();
        match keyed.as_slice() {
            [] => vec![Args::new()],
            [(name, ty)] => self
                .known
                .get(ty)
                .into_iter()
                .flatten()
                .map(|id| vec![((*name).to_owned(), json!(id))])
                .collect(),
            _ => panic!(
                "Query.{} takes several ids: teach `Walk::root_arguments`",
                f.name
            ),
        }
    }

    async fn root_listing(&self, f: &FieldDef, fixed: Args) -> Vec<Item> {
        let args = self.env.args("Query", f, Mode::Lookup, &fixed);
        let child = self.env.child_type(f);
        let via = via_of(f);
        let sub = match via {
            Via::Connection => self.env.connection_sel(&f.ty),
            Via::Single | Via::List => self.env.identity_sel(&child),
        };
        let listing = Sel::with(&f.name, args.clone(), sub);
        let r = self.gql(&self.env.query(&listing)).await;
        let at = || {
            let shown: Vec<String> = fixed.iter().map(|(n, v)| format!("{n}: {v}")).collect();
            format!("{}({})", f.name, shown.join(", "))
        };
        if !r.is_ok() {
            if !hidden_at_root(&r) {
                let what = format!("the root listing failed{}", limit_hint(&r));
                self.fail_at(
                    "Query",
                    String::new(),
                    at(),
                    what,
                    r.body.clone(),
                    Value::Null,
                );
            }
            return Vec::new();
        }
        let value = &r.body["data"][f.name.as_str()];
        if value.is_null() {
            return Vec::new();
        }
        let mut as_query = serde_json::Map::new();
        as_query.insert(f.name.clone(), value.clone());
        let as_query = Value::Object(as_query);
        for d in DERIVED
            .iter()
            .filter(|d| d.on.is_none_or(|on| on == "Query"))
        {
            if let Err(e) = (d.check)(self.env, "Query", &as_query) {
                let what = format!("{}: {e}", d.what);
                self.fail_at(
                    "Query",
                    String::new(),
                    at(),
                    what,
                    value.clone(),
                    Value::Null,
                );
            }
        }

        let mut nodes: Vec<(Args, &Value)> = Vec::new();
        match via {
            Via::Single => nodes.push((args, value)),
            Via::List => nodes.extend(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|x| (args.clone(), x)),
            ),
            Via::Connection => {
                let mut after: Option<String> = None;
                for edge in value["edges"].as_array().into_iter().flatten() {
                    let step_args = self
                        .env
                        .args("Query", f, Mode::Step(after.as_deref()), &fixed);
                    nodes.push((step_args, &edge["node"]));
                    after = edge["cursor"].as_str().map(str::to_owned);
                }
            }
        }
        nodes
            .into_iter()
            .filter_map(|(args, node)| {
                self.record(&child, node);
                let identity = self.env.identity_of(&child, node);
                let step = Step {
                    parent: "Query".into(),
                    field: f.name.clone(),
                    args,
                    via,
                    child: child.clone(),
                    identity: Some(identity.clone()),
                };
                self.item(child.clone(), identity, vec![step], Parent::Query)
            })
            .collect()
    }

    /// An item to process, unless no projection of it fits the server's
    /// limits along its path (then it is not expanded).
    fn item(&self, ty: String, identity: Value, path: Vec<Step>, parent: Parent) -> Option<Item> {
        if self.env.fitting_first(&path, &ty).is_none() {
            self.pruned.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        Some(Item {
            ty,
            identity,
            path,
            parent,
        })
    }

    // ---- one object

    /// Read the object's projection along its path, check it, and return
    /// its children.
    async fn process(&self, item: Item) -> Vec<Item> {
        let Some(first) = self.env.fitting_first(&item.path, &item.ty) else {
            let what = "walk bug: no projection fits the server's limits".to_owned();
            self.fail(&item, what, Value::Null, Value::Null);
            return Vec::new();
        };
        let projection = self.env.projection(&item.ty, first).clone();
        let query = self.env.query(&self.env.along(&item.path, projection));
        let r = self.gql(&query).await;
        if !r.is_ok() {
            let what = format!("the nested read failed{}", limit_hint(&r));
            self.fail(&item, what, r.body.clone(), Value::Null);
            return Vec::new();
        }
        let obj = match self.env.follow(&r.body["data"], &item.path) {
            Ok(v) => v.clone(),
            Err(miss) => {
                let what = format!("the nested read lost the object: {}", miss.why);
                self.fail(&item, what, r.body["data"].clone(), Value::Null);
                return Vec::new();
            }
        };
        self.checked.fetch_add(1, Ordering::Relaxed);
        self.record(&item.ty, &obj);
        let state = self.check(&item, &obj, first, &query).await;
        self.derived(&item, &obj);
        if item.path.len() >= MAX_STEPS {
            return Vec::new();
        }
        self.children(&item, &obj, &state)
    }

    /// Compare the object with its root read, by the rule of its type.
    async fn check(&self, item: &Item, obj: &Value, first: u32, nested_query: &str) -> Parent {
        let ty = item.ty.as_str();
        let Some((_, read)) = ROOT_READS.iter().find(|(t, _)| *t == ty) else {
            let what = format!(
                "{ty} has no entry in ROOT_READS (tests/it/walk.rs): decide how it is read at the root"
            );
            self.fail(item, what, obj.clone(), Value::Null);
            return Parent::NoRootRead;
        };
        let chain = match *read {
            RootRead::MutationOnly => {
                let what = format!("{ty} is returned only by mutations, yet a read reached it");
                self.fail(item, what, obj.clone(), Value::Null);
                return Parent::NoRootRead;
            }
            RootRead::PublicFace(face) => {
                self.check_public_face(item, obj, face);
                return Parent::NoRootRead;
            }
            RootRead::Query { .. } => self.env.query_chain(ty, obj, &item.identity, *read),
            RootRead::Contextual => match &item.parent {
                Parent::Readable(parent) => Ok(self.env.within(parent, item)),
                // Its values are part of the reference's, checked there.
                Parent::Reference => return Parent::Reference,
                Parent::Failed => return Parent::Failed,
                Parent::Query | Parent::NoRootRead => Err(format!(
                    "{ty} exists only inside its parent, but its parent has no root read"
                )),
            },
        };
        let chain = match chain {
            Ok(chain) => Arc::new(chain),
            Err(why) => {
                self.fail(item, why, obj.clone(), Value::Null);
                return Parent::Failed;
            }
        };
        match self.root_read(ty, &chain, first, nested_query, obj).await {
            Seen::Found(root) => {
                let (nested, root) = (without_volatile(ty, obj), without_volatile(ty, &root));
                if nested != root {
                    let what = format!(
                        "differs from its root read in {}",
                        differing_fields(&nested, &root).join(", ")
                    );
                    self.fail(item, what, nested, root);
                }
                Parent::Readable(chain)
            }
            Seen::NotFound(why) => {
                let edge = item
                    .path
                    .last()
                    .map(|s| (s.parent.as_str(), s.field.as_str()));
                if edge.is_some_and(|e| REFERENCE_EDGES.contains(&e)) {
                    self.check_reference(item, obj);
                    Parent::Reference
                } else {
                    let what = format!("shown here, but its root read does not return it ({why})");
                    self.fail(item, what, obj.clone(), Value::Null);
                    Parent::Failed
                }
            }
            Seen::Failed(why) => {
                self.fail(item, why, obj.clone(), Value::Null);
                Parent::Failed
            }
        }
    }

    /// The root read's projection of the object, cached per caller.
    async fn root_read(
        &self,
        ty: &str,
        chain: &Chain,
        first: u32,
        nested_query: &str,
        nested: &Value,
    ) -> Seen {
        let key = (chain.key.clone(), first);
        let cached = lock(&self.cache).get(&key).cloned();
        if let Some(seen) = cached {
            return seen;
        }
        let projection = self.env.projection(ty, first);
        let mut steps = chain.steps.clone();
        let mut seen = Seen::Failed(format!(
            "not found within {MAX_PAGES} pages of its root read"
        ));
        for _ in 0..MAX_PAGES {
            let query = self.env.query(&self.env.along(&steps, projection.clone()));
            if query == nested_query {
                // The path is the root read itself.
                seen = Seen::Found(nested.clone());
                break;
            }
            let r = self.gql(&query).await;
            if !r.is_ok() {
                seen = if hidden_at_root(&r) {
                    Seen::NotFound(format!(
                        "{}: {}",
                        step_text(&steps[0]),
                        r.body["errors"][0]["extensions"]["code"]
                    ))
                } else {
                    Seen::Failed(format!(
                        "the root read failed{}: {}",
                        limit_hint(&r),
                        r.body
                    ))
                };
                break;
            }
            let data = &r.body["data"];
            self.cache_siblings(ty, chain, first, data, &steps);
            match self.env.follow(data, &steps) {
                Ok(v) => {
                    seen = Seen::Found(v.clone());
                    break;
                }
                Err(Miss {
                    next_page: Some((i, cursor)),
                    ..
                }) => {
                    steps[i].args.retain(|(n, _)| n != "after");
                    steps[i].args.push(("after".into(), json!(cursor)));
                }
                Err(miss) => {
                    seen = Seen::NotFound(miss.why);
                    break;
                }
            }
        }
        lock(&self.cache).insert(key, seen.clone());
        seen
    }

    /// A root read that lists objects answers for all of them.
    fn cache_siblings(&self, ty: &str, chain: &Chain, first: u32, data: &Value, steps: &[Step]) {
        let Some((last, above)) = steps.split_last() else {
            return;
        };
        let Ok(parent) = self.env.follow(data, above) else {
            return;
        };
        let list = &parent[last.field.as_str()];
        let items: Vec<&Value> = match last.via {
            Via::Single => return,
            Via::List => list.as_array().into_iter().flatten().collect(),
            Via::Connection => list["edges"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| &e["node"])
                .collect(),
        };
        let mut cache = lock(&self.cache);
        for x in items {
            let key = (chain.key_of(&self.env.identity_of(ty, x)), first);
            cache.entry(key).or_insert_with(|| Seen::Found(x.clone()));
        }
    }

    /// Another user shows only its public face; the caller's own, anything.
    fn check_public_face(&self, item: &Item, obj: &Value, face: &[(&str, Face)]) {
        if obj["id"]
            .as_str()
            .is_some_and(|id| Some(id) == self.me.as_deref())
        {
            return;
        }
        let admin = self.caller == Caller::PlatformAdmin;
        let shown: Vec<String> = face
            .iter()
            .filter_map(|(field, face)| {
                let v = obj.get(*field).unwrap_or_else(|| {
                    panic!(
                        "the public face of {} names `{field}`, which it lacks",
                        item.ty
                    )
                });
                let ok = match face {
                    Face::NullUnlessPlatformAdmin => admin || v.is_null(),
                    Face::FalseUnlessPlatformAdmin => admin || *v == false,
                    Face::Empty => v.as_array().is_some_and(Vec::is_empty),
                };
                (!ok).then(|| format!("{field} = {v}"))
            })
            .collect();
        if !shown.is_empty() {
            let what = format!(
                "another user shows more than its public face: {}",
                shown.join(", ")
            );
            self.fail(item, what, obj.clone(), Value::Null);
        }
    }

    /// A reference shows its reference fields and nothing else.
    fn check_reference(&self, item: &Item, obj: &Value) {
        let allowed = REFERENCE_FIELDS
            .iter()
            .find(|(t, _)| *t == item.ty)
            .map(|(_, fields)| *fields)
            .unwrap_or_else(|| {
                panic!(
                    "REFERENCE_EDGES leads to {}, which has no REFERENCE_FIELDS",
                    item.ty
                )
            });
        let schema = &self.env.schema;
        let shown: Vec<String> = schema
            .fields(&item.ty)
            .iter()
            .filter(|f| !allowed.contains(&f.name.as_str()))
            .filter_map(|f| {
                let v = &obj[f.name.as_str()];
                let ok = if schema.is_leaf(&f.ty) {
                    v.is_null() || (f.ty == "Boolean" && *v == false)
                } else {
                    // Lists are walked: each item passes its own root read.
                    f.list || is_connection(&f.ty) || v.is_null()
                };
                (!ok).then(|| format!("{} = {v}", f.name))
            })
            .collect();
        if !shown.is_empty() {
            let what = format!(
                "a reference (its root read is NOT_FOUND) shows more than {}: {}",
                allowed.join(", "),
                shown.join(", ")
            );
            self.fail(item, what, obj.clone(), Value::Null);
        }
    }

    fn derived(&self, item: &Item, obj: &Value) {
        for d in DERIVED
            .iter()
            .filter(|d| d.on.is_none_or(|on| on == item.ty))
        {
            if let Err(e) = (d.check)(self.env, &item.ty, obj) {
                self.fail(item, format!("{}: {e}", d.what), obj.clone(), Value::Null);
            }
        }
    }

    /// Every object the projection names, with the path extended.
    fn children(&self, item: &Item, obj: &Value, state: &Parent) -> Vec<Item> {
        let mut out = Vec::new();
        for f in self.env.schema.fields(&item.ty) {
            if self.env.schema.is_leaf(&f.ty) || (is_structural(&f.ty) && !is_connection(&f.ty)) {
                continue;
            }
            let value = &obj[f.name.as_str()];
            let child = self.env.child_type(f);
            let via = via_of(f);
            let mut nodes: Vec<(Args, &Value)> = Vec::new();
            match via {
                Via::Single if value.is_null() => {}
                Via::Single => nodes.push((self.env.args(&item.ty, f, Mode::Lookup, &[]), value)),
                Via::List => {
                    let args = self.env.args(&item.ty, f, Mode::Lookup, &[]);
                    nodes.extend(
                        value
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|x| (args.clone(), x)),
                    );
                }
                Via::Connection => {
                    let mut after: Option<String> = None;
                    for edge in value["edges"].as_array().into_iter().flatten() {
                        let args = self
                            .env
                            .args(&item.ty, f, Mode::Step(after.as_deref()), &[]);
                        nodes.push((args, &edge["node"]));
                        after = edge["cursor"].as_str().map(str::to_owned);
                    }
                }
            }
            for (args, node) in nodes {
                self.record(&child, node);
                let identity = self.env.identity_of(&child, node);
                let mut path = item.path.clone();
                path.push(Step {
                    parent: item.ty.clone(),
                    field: f.name.clone(),
                    args,
                    via,
                    child: child.clone(),
                    identity: Some(identity.clone()),
                });
                out.extend(self.item(child.clone(), identity, path, state.clone()));
            }
        }
        out
    }
}

/// The ids the World made, by type.
fn world_ids(world: &World<'_>) -> Known {
    let mut known = Known::new();
    let mut add = |ty: &str, id: &str| {
        known
            .entry(ty.to_owned())
            .or_default()
            .insert(id.to_owned());
    };
    for org in [&world.home, &world.club, &world.stranger] {
        add("Organization", &org.id);
    }
    for t in world.targets.values() {
        add("Organization", &t.org.id);
        add("Agreement", &t.agreement);
        add("Space", &t.space);
        add("Booking", &t.booking);
    }
    add("Agreement", &world.former_agreement);
    add("Booking", &world.partner_booking);
    add("Booking", &world.former_booking);
    known
}

fn failure_report(failures: &[Failure]) -> String {
    const SHOWN: usize = 60;
    let mut by_kind: BTreeMap<(String, String), usize> = BTreeMap::new();
    for f in failures {
        *by_kind
            .entry((format!("{:?}", f.caller), f.ty.clone()))
            .or_default() += 1;
    }
    let summary: Vec<String> = by_kind
        .iter()
        .map(|((caller, ty), n)| format!("{caller}/{ty}: {n}"))
        .collect();
    let mut text = format!("by caller/type: {}\n\n", summary.join(", "));
    for f in failures.iter().take(SHOWN) {
        text.push_str(&f.to_string());
    }
    if failures.len() > SHOWN {
        text.push_str(&format!("… and {} more\n", failures.len() - SHOWN));
    }
    text
}

db_test! {
    async fn nested_reads_show_only_what_root_reads_show(app) {
        let world = World::build(&app).await;
        let env = Env::new(&app);
        let mut known = world_ids(&world);
        // The platform admin first: it reads everything, so its walk finds
        // the ids every other caller's root reads are tried with.
        let order = std::iter::once(Caller::PlatformAdmin)
            .chain(CALLERS.into_iter().filter(|c| *c != Caller::PlatformAdmin));
        let mut checked = HashMap::new();
        let mut failures = Vec::new();
        for caller in order {
            let report = {
                let walk = Walk::new(&env, &app, &world, caller, &known);
                walk.run().await;
                walk.finish()
            };
            eprintln!(
                "walk as {:?}: {} objects checked, {} requests, {} not expanded (query limits), {} failures",
                report.caller,
                report.checked,
                report.requests,
                report.pruned,
                report.failures.len()
            );
            if caller == Caller::PlatformAdmin {
                for (ty, ids) in report.found {
                    known.entry(ty).or_default().extend(ids);
                }
            }
            checked.insert(caller, report.checked);
            failures.extend(report.failures);
        }
        for caller in [Caller::Owner, Caller::PlatformAdmin] {
            assert!(
                checked[&caller] >= MIN_CHECKED,
                "the walk as {caller:?} checked only {} objects; expected at least {MIN_CHECKED}",
                checked[&caller]
            );
        }
        assert!(
            failures.is_empty(),
            "{} nested reads disagree with the root reads:\n{}",
            failures.len(),
            failure_report(&failures)
        );
    }
}
