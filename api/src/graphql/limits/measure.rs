//! Measuring a document: depth, aliases, directives, and nodes counted
//! like GitHub's node limit, over the shape of the schema (see
//! [`super::shape`]).

use async_graphql::parser::types::{
    ExecutableDocument, OperationDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, ServerError, Variables};
use async_graphql_value::{ConstValue, Value};
use service::ApiError;

use super::shape::SchemaShape;
use super::{
    DEFAULT_FIRST, MAX_ALIASES, MAX_DEPTH, MAX_DIRECTIVES_PER_FIELD, MAX_FIELD_VISITS,
    MAX_INTROSPECTION_DEPTH, MAX_NODES,
};

pub(super) fn is_connection(type_name: &str) -> bool {
    type_name.ends_with("Connection")
}

pub(super) fn too_complex(message: String) -> ServerError {
    crate::graphql::error::to_graphql(&ApiError::QueryTooComplex(message))
        .into_server_error(Default::default())
}

pub(super) struct Measure<'a> {
    doc: &'a ExecutableDocument,
    shape: &'a SchemaShape,
    variables: &'a Variables,
    operation: &'a OperationDefinition,
    aliases: usize,
    max_depth: usize,
    /// The deepest introspection field, counted from the root.
    max_introspection_depth: usize,
    nodes: u64,
    /// Nodes under `__schema` and `__type`, which have a budget of their own.
    pub(super) introspection_nodes: u64,
    fragment_stack: Vec<Name>,
    /// Fields visited so far, fragments expanded where spread: fragments
    /// that spread others twice grow exponentially, so the walk itself is
    /// capped (a real client's document is a few hundred fields).
    visits: usize,
    error: Option<String>,
}

impl<'a> Measure<'a> {
    fn argument_u64(&self, value: &async_graphql::parser::types::Field, name: &str) -> Option<u64> {
        let (_, v) = value
            .arguments
            .iter()
            .find(|(n, _)| n.node.as_str() == name)?;
        let resolved = match &v.node {
            Value::Variable(var) => self.variables.get(var).cloned().or_else(|| {
                self.operation
                    .variable_definitions
                    .iter()
                    .find(|d| d.node.name.node == *var)
                    .and_then(|d| d.node.default_value.as_ref().map(|v| v.node.clone()))
            })?,
            other => other.clone().into_const()?,
        };
        match resolved {
            ConstValue::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// `depth` counts the fields above `set`; `introspection` whether one of
    /// them is `__schema` or `__type`, whose chains of `ofType` legitimately
    /// run deeper than data does (they are bounded by their own limit).
    fn walk(
        &mut self,
        set: &'a SelectionSet,
        type_name: &str,
        multiplier: u64,
        depth: usize,
        introspection: bool,
    ) {
        if self.error.is_some() {
            return;
        }
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    self.visits += 1;
                    if self.visits > MAX_FIELD_VISITS {
                        self.error = Some(format!(
                            "the query selects more than {MAX_FIELD_VISITS} fields once its fragments are expanded"
                        ));
                        return;
                    }
                    // Every field counts, `__typename` and introspection included.
                    let f = &field.node;
                    let name = f.name.node.as_str();
                    if f.alias.is_some() {
                        self.aliases += 1;
                    }
                    if f.directives.len() > MAX_DIRECTIVES_PER_FIELD {
                        self.error = Some(format!(
                            "field `{name}` has {} directives; at most {MAX_DIRECTIVES_PER_FIELD} are allowed",
                            f.directives.len()
                        ));
                        return;
                    }
                    let depth = depth + 1;
                    let introspection = introspection || name == "__schema" || name == "__type";
                    if introspection {
                        self.max_introspection_depth = self.max_introspection_depth.max(depth);
                    } else {
                        self.max_depth = self.max_depth.max(depth);
                    }
                    let Some(info) = self.shape.field(type_name, name) else {
                        continue; // a scalar, or unknown: validation reports it
                    };
                    let child_multiplier = if is_connection(&info.type_name) {
                        let n = self
                            .argument_u64(f, "first")
                            .or_else(|| self.argument_u64(f, "last"))
                            .unwrap_or(DEFAULT_FIRST);
                        let m = multiplier.saturating_mul(n);
                        self.nodes = self.nodes.saturating_add(m);
                        m
                    } else if info.is_list
                        && !is_connection(type_name)
                        && !f.selection_set.node.items.is_empty()
                    {
                        let m = multiplier.saturating_mul(info.fanout);
                        if introspection {
                            self.introspection_nodes = self.introspection_nodes.saturating_add(m);
                        } else {
                            self.nodes = self.nodes.saturating_add(m);
                        }
                        m
                    } else {
                        multiplier
                    };
                    let child_type = info.type_name.as_str();
                    self.walk(
                        &f.selection_set.node,
                        child_type,
                        child_multiplier,
                        depth,
                        introspection,
                    );
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if spread.node.directives.len() > MAX_DIRECTIVES_PER_FIELD {
                        self.error = Some(format!("too many directives on `...{name}`"));
                        return;
                    }
                    if self.fragment_stack.contains(name) {
                        continue; // a cycle: validation reports it
                    }
                    let Some(fragment) = self.doc.fragments.get(name) else {
                        continue;
                    };
                    self.fragment_stack.push(name.clone());
                    let on = fragment.node.type_condition.node.on.node.to_string();
                    self.walk(
                        &fragment.node.selection_set.node,
                        &on,
                        multiplier,
                        depth,
                        introspection,
                    );
                    self.fragment_stack.pop();
                }
                Selection::InlineFragment(inline) => {
                    if inline.node.directives.len() > MAX_DIRECTIVES_PER_FIELD {
                        self.error = Some("too many directives on an inline fragment".into());
                        return;
                    }
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.to_string())
                        .unwrap_or_else(|| type_name.to_owned());
                    self.walk(
                        &inline.node.selection_set.node,
                        &on,
                        multiplier,
                        depth,
                        introspection,
                    );
                }
            }
        }
    }
}

fn root_type(ty: OperationType) -> &'static str {
    match ty {
        OperationType::Query => "Query",
        OperationType::Mutation => "Mutation",
        OperationType::Subscription => "Subscription",
    }
}

pub(super) fn measure<'a>(
    doc: &'a ExecutableDocument,
    shape: &'a SchemaShape,
    variables: &'a Variables,
    operation: &'a Positioned<OperationDefinition>,
) -> Measure<'a> {
    let mut m = Measure {
        doc,
        shape,
        variables,
        operation: &operation.node,
        aliases: 0,
        max_depth: 0,
        max_introspection_depth: 0,
        nodes: 0,
        introspection_nodes: 0,
        fragment_stack: Vec::new(),
        visits: 0,
        error: None,
    };
    m.walk(
        &operation.node.selection_set.node,
        root_type(operation.node.ty),
        1,
        0,
        false,
    );
    m
}

/// Measure one operation; `Err` with the reason when a limit is exceeded.
pub(super) fn check_operation(
    doc: &ExecutableDocument,
    shape: &SchemaShape,
    variables: &Variables,
    operation: &Positioned<OperationDefinition>,
) -> Result<(), String> {
    let m = measure(doc, shape, variables, operation);
    if let Some(e) = m.error {
        return Err(e);
    }
    if m.max_depth > MAX_DEPTH {
        return Err(format!(
            "query depth {} exceeds the limit of {MAX_DEPTH}",
            m.max_depth
        ));
    }
    if m.max_introspection_depth > MAX_INTROSPECTION_DEPTH {
        return Err(format!(
            "introspection depth {} exceeds the limit of {MAX_INTROSPECTION_DEPTH}",
            m.max_introspection_depth
        ));
    }
    if m.aliases > MAX_ALIASES {
        return Err(format!(
            "query uses {} aliases; at most {MAX_ALIASES} are allowed",
            m.aliases
        ));
    }
    if m.nodes > MAX_NODES {
        return Err(format!(
            "query may return up to {} nodes; at most {MAX_NODES} are allowed (lower `first`)",
            m.nodes
        ));
    }
    if m.introspection_nodes > shape.introspection_budget {
        return Err(format!(
            "introspection may return up to {} nodes; at most {} are allowed (twice the standard introspection query)",
            m.introspection_nodes, shape.introspection_budget
        ));
    }
    Ok(())
}
