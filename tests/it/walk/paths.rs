//! Queries along paths: a selection read at the end of a path, its cost
//! under the server's limits, finding the object in an answer, the steps of
//! root reads, and paths as text.

use serde_json::Value;

use super::env::{Env, Mode};
use super::items::{Chain, Item};
use super::schema::FieldDef;
use super::selection::{Args, Sel, Step, Via, via_of};
use super::tables::{
    DEFAULT_FIRST, LIST_FANOUT, MAX_DEPTH, MAX_NODES, PROJECTION_FIRSTS, RootRead, is_connection,
};

/// Where [`Env::follow`] did not find the object.
pub(super) struct Miss {
    pub(super) why: String,
    /// (step, cursor) to read the next page from, when the step is a
    /// connection with more pages.
    pub(super) next_page: Option<(usize, String)>,
}

impl Env {
    /// `leaf` selected at the end of `steps`, with every step's identity.
    pub(super) fn along(&self, steps: &[Step], leaf: Sel) -> Sel {
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

    pub(super) fn query(&self, sel: &Sel) -> String {
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
    pub(super) fn fitting_first(&self, path: &[Step], ty: &str) -> Option<u32> {
        PROJECTION_FIRSTS.into_iter().find(|&first| {
            let (depth, nodes) = self.cost(&self.along(path, self.projection(ty, first).clone()));
            depth <= MAX_DEPTH && nodes <= MAX_NODES
        })
    }

    /// The object at the end of `steps` in a response's `data`.
    pub(super) fn follow<'v>(&self, data: &'v Value, steps: &[Step]) -> Result<&'v Value, Miss> {
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
    pub(super) fn query_chain(
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
    pub(super) fn within(&self, parent: &Chain, item: &Item) -> Chain {
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

pub(super) fn pointer(dotted: &str) -> String {
    format!("/{}", dotted.replace('.', "/"))
}

/// An identity as text: the bare id when it is one string.
pub(super) fn short(identity: &Value) -> String {
    match identity.as_array().map(Vec::as_slice) {
        Some([Value::String(s)]) => s.clone(),
        _ => identity.to_string(),
    }
}

pub(super) fn step_text(step: &Step) -> String {
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

pub(super) fn path_text(steps: &[Step]) -> String {
    steps.iter().map(step_text).collect::<Vec<_>>().join(".")
}
