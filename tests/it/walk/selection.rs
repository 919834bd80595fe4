//! Selection sets and path steps: what a query selects, and how one step
//! goes from a parent object to one child.

use std::collections::BTreeMap;

use serde_json::Value;

use super::schema::FieldDef;
use super::tables::is_connection;

pub(super) type Args = Vec<(String, Value)>;

/// A selection set: field name → arguments and subselection (no aliases,
/// so a field appears once, and merging two selections merges its
/// subselections).
#[derive(Debug, Clone, Default)]
pub(super) struct Sel(pub(super) BTreeMap<String, Node>);

#[derive(Debug, Clone, Default)]
pub(super) struct Node {
    pub(super) args: Args,
    pub(super) sel: Sel,
}

impl Sel {
    pub(super) fn with(name: &str, args: Args, sel: Sel) -> Sel {
        let mut s = Sel::default();
        s.add(name, args, sel);
        s
    }

    pub(super) fn add(&mut self, name: &str, args: Args, sel: Sel) {
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

    pub(super) fn merge(&mut self, other: Sel) {
        for (name, node) in other.0 {
            self.add(&name, node.args, node.sel);
        }
    }

    pub(super) fn write(&self, out: &mut String) {
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
pub(super) enum Via {
    Single,
    /// A plain list: the child is picked by identity.
    List,
    /// A connection: `edges { cursor node }`, the child picked by identity.
    Connection,
}

pub(super) fn via_of(f: &FieldDef) -> Via {
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
pub(super) struct Step {
    pub(super) parent: String,
    pub(super) field: String,
    pub(super) args: Args,
    pub(super) via: Via,
    pub(super) child: String,
    /// The child's identity; `None` where there is nothing to pick or
    /// verify (a single object looked up by its id).
    pub(super) identity: Option<Value>,
}
