//! What a walk carries: the objects to process and what their parents
//! say, the chains of root reads and their answers, and the failures.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use super::selection::Step;
use super::tables::{ROOT_READS, RootRead};
use crate::authz::Caller;

pub(super) type Known = BTreeMap<String, BTreeSet<String>>;

/// The steps of an object's root read and the key its answer is cached by.
#[derive(Debug)]
pub(super) struct Chain {
    pub(super) steps: Vec<Step>,
    /// Shared by the objects one answer lists (siblings).
    prefix: String,
    pub(super) key: String,
}

impl Chain {
    pub(super) fn new(steps: Vec<Step>, prefix: String, identity: &Value) -> Chain {
        let key = format!("{prefix}#{identity}");
        Chain { steps, prefix, key }
    }

    pub(super) fn key_of(&self, identity: &Value) -> String {
        format!("{}#{identity}", self.prefix)
    }
}

/// What the check of an object says to its children.
#[derive(Debug, Clone)]
pub(super) enum Parent {
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
pub(super) struct Item {
    pub(super) ty: String,
    pub(super) identity: Value,
    pub(super) path: Vec<Step>,
    pub(super) parent: Parent,
}

impl Item {
    /// (type, identity, `Parent.field`); a contextual object's identity is
    /// qualified by its parent's (home's party in each agreement is walked).
    pub(super) fn dedupe_key(&self) -> (String, String, String) {
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
pub(super) enum Seen {
    Found(Value),
    NotFound(String),
    Failed(String),
}

pub(super) struct Failure {
    pub(super) caller: Caller,
    pub(super) ty: String,
    pub(super) identity: String,
    pub(super) path: String,
    pub(super) what: String,
    pub(super) nested: Value,
    pub(super) root: Value,
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
