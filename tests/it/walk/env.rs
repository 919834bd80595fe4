//! What is fixed for a run: the schema, the date window, the argument
//! provider, identities, and every type's projection.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::paths::pointer;
use super::schema::{FieldDef, Schema};
use super::selection::{Args, Sel, Via, via_of};
use super::tables::{
    DERIVED, IDENTITIES, OPERATION_TYPES, PROJECTION_FIRSTS, is_connection, is_structural,
};
use crate::support::TestApp;

/// How a caller's argument is used.
#[derive(Debug, Clone, Copy)]
pub(super) enum Mode<'a> {
    /// A step of a walk path; through a connection, one item after this
    /// cursor.
    Step(Option<&'a str>),
    /// A root read or listing: pages of 100.
    Lookup,
    /// Inside a projection, with this `first`.
    Projection(u32),
}

/// What is fixed for the whole run: the schema, the window, the projections.
pub(super) struct Env {
    pub(super) schema: Schema,
    /// `from`, `to` of every `DateTime` window argument.
    pub(super) window: (String, String),
    /// `from`, `to` of every `Date` window argument (charts).
    dates: (String, String),
    projections: HashMap<(String, u32), Sel>,
}

impl Env {
    pub(super) fn new(app: &TestApp) -> Env {
        use crate::support::fixtures::at;
        let mut env = Env {
            schema: Schema::load(),
            window: (at(app, -24), at(app, 300 * 24)),
            dates: (
                crate::support::fixtures::day(app, -60),
                crate::support::fixtures::day(app, 30),
            ),
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
    pub(super) fn args(
        &self,
        owner: &str,
        f: &FieldDef,
        mode: Mode<'_>,
        fixed: &[(String, Value)],
    ) -> Args {
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
                ("from", "Date", _) => Some(json!(self.dates.0)),
                ("to", "Date", _) => Some(json!(self.dates.1)),
                ("interval", "SeriesInterval", _) => Some(json!("MONTH")),
                _ => None,
            };
            match value {
                Some(v) => out.push((a.name.clone(), v)),
                None if a.required => panic!(
                    "no argument provider for {owner}.{}({}): teach `Env::args` in tests/it/walk/env.rs",
                    f.name, a.name
                ),
                None => {}
            }
        }
        out
    }

    /// The objects `value` (field `f` of `owner`) holds, each with the
    /// arguments that reach it: an object or list item as looked up, a
    /// connection's node as the one-item step after the previous cursor.
    pub(super) fn nodes_in<'v>(
        &self,
        owner: &str,
        f: &FieldDef,
        value: &'v Value,
        fixed: &[(String, Value)],
    ) -> Vec<(Args, &'v Value)> {
        let lookup = || self.args(owner, f, Mode::Lookup, fixed);
        match via_of(f) {
            Via::Single if value.is_null() => Vec::new(),
            Via::Single => vec![(lookup(), value)],
            Via::List => {
                let args = lookup();
                let items = value.as_array().into_iter().flatten();
                items.map(|x| (args.clone(), x)).collect()
            }
            Via::Connection => {
                let mut out = Vec::new();
                let mut after: Option<String> = None;
                for edge in value["edges"].as_array().into_iter().flatten() {
                    let args = self.args(owner, f, Mode::Step(after.as_deref()), fixed);
                    out.push((args, &edge["node"]));
                    after = edge["cursor"].as_str().map(str::to_owned);
                }
                out
            }
        }
    }

    pub(super) fn child_type(&self, f: &FieldDef) -> String {
        if is_connection(&f.ty) {
            self.node_type(&f.ty)
        } else {
            f.ty.clone()
        }
    }

    pub(super) fn edge_type(&self, connection: &str) -> String {
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

    pub(super) fn identity_sel(&self, ty: &str) -> Sel {
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

    pub(super) fn identity_of(&self, ty: &str, v: &Value) -> Value {
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

    pub(super) fn projection(&self, ty: &str, first: u32) -> &Sel {
        self.projections
            .get(&(ty.to_owned(), first))
            .unwrap_or_else(|| panic!("walk bug: no projection of {ty}"))
    }

    /// A connection in a projection or root listing: its counts,
    /// `pageInfo { hasNextPage }` and its edges with the nodes' identities
    /// (not `nodes`: the edges carry the same items).
    pub(super) fn connection_sel(&self, connection: &str) -> Sel {
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

    pub(super) fn edge_sel(&self, edge: &str, node: Sel) -> Sel {
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
}
