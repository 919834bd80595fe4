//! One object: read along its path, compared with its root read (cached
//! per caller, its siblings with it), checked, and its children enqueued.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde_json::{Value, json};

use super::driver::{Walk, hidden_at_root, limit_hint, lock};
use super::items::{Chain, Item, Parent, Seen};
use super::paths::{Miss, step_text};
use super::selection::{Step, Via, via_of};
use super::tables::{
    MAX_PAGES, MAX_STEPS, REFERENCE_EDGES, ROOT_READS, RootRead, VOLATILE, is_connection,
    is_structural,
};

impl Walk<'_> {
    /// Read the object's projection along its path, check it, and return
    /// its children.
    pub(super) async fn process(&self, item: Item) -> Vec<Item> {
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
                "{ty} has no entry in ROOT_READS (tests/it/walk/tables.rs): decide how it is read at the root"
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
            for (args, node) in self.env.nodes_in(&item.ty, f, value, &[]) {
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
