//! The walk driver: one caller's walk, breadth first from the roots (every
//! Query field, tried with every known id), and its record of what it
//! found and what failed.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use futures::StreamExt;
use serde_json::{Value, json};

use super::env::{Env, Mode};
use super::items::{Failure, Item, Known, Parent, Seen};
use super::paths::{path_text, short};
use super::schema::FieldDef;
use super::selection::{Args, Sel, Step, Via, via_of};
use super::tables::{CONCURRENCY, DERIVED, HIDDEN};
use crate::authz::{Caller, World};
use crate::support::{Gql, TestApp};

/// One caller's walk.
pub(super) struct Walk<'a> {
    pub(super) env: &'a Env,
    app: &'a TestApp,
    pub(super) caller: Caller,
    token: Option<String>,
    /// The user id of the caller's person.
    pub(super) me: Option<String>,
    known: &'a Known,
    pub(super) cache: Mutex<HashMap<(String, u32), Seen>>,
    failures: Mutex<Vec<Failure>>,
    found: Mutex<Known>,
    pub(super) checked: AtomicUsize,
    pruned: AtomicUsize,
    requests: AtomicUsize,
}

pub(super) struct Report {
    pub(super) caller: Caller,
    pub(super) checked: usize,
    pub(super) pruned: usize,
    pub(super) requests: usize,
    pub(super) failures: Vec<Failure>,
    pub(super) found: Known,
}

impl<'a> Walk<'a> {
    pub(super) fn new(
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

    pub(super) fn finish(self) -> Report {
        Report {
            caller: self.caller,
            checked: self.checked.into_inner(),
            pruned: self.pruned.into_inner(),
            requests: self.requests.into_inner(),
            failures: self.failures.into_inner().expect("failures lock"),
            found: self.found.into_inner().expect("found lock"),
        }
    }

    pub(super) async fn gql(&self, query: &str) -> Gql {
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

    pub(super) fn fail(&self, item: &Item, what: String, nested: Value, root: Value) {
        self.fail_at(
            &item.ty,
            short(&item.identity),
            path_text(&item.path),
            what,
            nested,
            root,
        );
    }

    pub(super) fn record(&self, ty: &str, obj: &Value) {
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
    pub(super) async fn run(&self) {
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

        self.env
            .nodes_in("Query", f, value, &fixed)
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
    pub(super) fn item(
        &self,
        ty: String,
        identity: Value,
        path: Vec<Step>,
        parent: Parent,
    ) -> Option<Item> {
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
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().expect("a walk lock was poisoned by a panic")
}

/// " (QUERY_TOO_COMPLEX …)" when the server refused the query as too big.
pub(super) fn limit_hint(r: &Gql) -> &'static str {
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
pub(super) fn hidden_at_root(r: &Gql) -> bool {
    r.body["errors"].as_array().is_some_and(|errs| {
        !errs.is_empty()
            && errs.iter().all(|e| {
                HIDDEN.contains(&e["extensions"]["code"].as_str().unwrap_or_default())
                    && e["path"].as_array().is_none_or(|p| p.len() <= 1)
            })
    })
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
