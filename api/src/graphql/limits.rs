//! Limits every request meets before anything executes, and the per-request
//! gate of API token scopes ([`policy::ensure_may_run`]): no mutations
//! without WRITE, no queries without READ, and for a token without READ a
//! mutation's answer holds only the changed object's `id`.
//!
//! async-graphql's own depth limit counts introspection, which would break
//! GraphiQL and client generators, and its complexity counts scalar fields;
//! the contract wants neither. So the document is measured here:
//!
//! - depth ≤ 10, not counting introspection (`__schema`, `__type`);
//! - at most 15 aliases per operation and 5 directives per field;
//! - nodes ≤ 200,000, counted like GitHub's node limit: a connection field
//!   returns `first` (default 20) nodes for each of its parents, and what it
//!   contains is multiplied by that; a plain list of objects counts as 10.
//!   organization → agreements(50) → projects(50) → events(50) is
//!   50 + 2,500 + 125,000 = 127,550 nodes and passes; three nested
//!   `first: 100` are 1,010,100 and do not.
//!
//! Refusals carry `extensions.code = QUERY_TOO_COMPLEX`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest,
};
use async_graphql::parser::types::{
    BaseType, ExecutableDocument, OperationDefinition, OperationType, Selection, SelectionSet,
    Type, TypeKind, TypeSystemDefinition,
};
use async_graphql::{Name, Positioned, Request, ServerError, ServerResult, Variables};
use async_graphql_value::{ConstValue, Value};

use crate::graphql::RequestCtx;
use service::ApiError;
use service::policy;

pub const MAX_DEPTH: usize = 10;
pub const MAX_ALIASES: usize = 15;
pub const MAX_DIRECTIVES_PER_FIELD: usize = 5;
pub const MAX_NODES: u64 = 200_000;
/// Fields a document may select once its fragments are expanded.
pub const MAX_FIELD_VISITS: usize = 10_000;
/// Query text larger than this is refused before parsing.
pub const MAX_QUERY_BYTES: usize = 15_000;
/// Assumed size of a plain (non-connection) list of objects.
const LIST_FANOUT: u64 = 10;
const DEFAULT_FIRST: u64 = 20;

#[derive(Debug, Clone)]
struct FieldInfo {
    type_name: String,
    is_list: bool,
}

/// What the analysis needs to know about the schema: each object field's
/// named type and whether it is a list. Built once from the exported SDL.
#[derive(Debug, Default)]
pub struct SchemaShape {
    fields: HashMap<String, HashMap<String, FieldInfo>>,
}

fn unwrap_type(ty: &Type) -> (String, bool) {
    match &ty.base {
        BaseType::Named(name) => (name.to_string(), false),
        BaseType::List(inner) => (unwrap_type(inner).0, true),
    }
}

impl SchemaShape {
    pub fn from_sdl(sdl: &str) -> anyhow::Result<Self> {
        let doc = async_graphql::parser::parse_schema(sdl)?;
        let mut fields = HashMap::new();
        for def in doc.definitions {
            if let TypeSystemDefinition::Type(ty) = def {
                let type_fields = match &ty.node.kind {
                    TypeKind::Object(o) => &o.fields,
                    TypeKind::Interface(i) => &i.fields,
                    _ => continue,
                };
                let map = type_fields
                    .iter()
                    .map(|f| {
                        let (type_name, is_list) = unwrap_type(&f.node.ty.node);
                        (
                            f.node.name.node.to_string(),
                            FieldInfo { type_name, is_list },
                        )
                    })
                    .collect();
                fields.insert(ty.node.name.node.to_string(), map);
            }
        }
        Ok(SchemaShape { fields })
    }

    fn field(&self, type_name: &str, field: &str) -> Option<&FieldInfo> {
        self.fields.get(type_name)?.get(field)
    }
}

fn is_connection(type_name: &str) -> bool {
    type_name.ends_with("Connection")
}

fn too_complex(message: String) -> ServerError {
    super::error::to_graphql(&ApiError::QueryTooComplex(message))
        .into_server_error(Default::default())
}

struct Measure<'a> {
    doc: &'a ExecutableDocument,
    shape: &'a SchemaShape,
    variables: &'a Variables,
    operation: &'a OperationDefinition,
    aliases: usize,
    max_depth: usize,
    nodes: u64,
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

    fn walk(&mut self, set: &'a SelectionSet, type_name: &str, multiplier: u64, depth: usize) {
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
                    let f = &field.node;
                    let name = f.name.node.as_str();
                    if name.starts_with("__") {
                        // Introspection and __typename: free, and not counted for depth.
                        continue;
                    }
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
                    self.max_depth = self.max_depth.max(depth);
                    let Some(info) = self.shape.field(type_name, name).cloned() else {
                        continue; // unknown field: validation reports it
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
                        let m = multiplier.saturating_mul(LIST_FANOUT);
                        self.nodes = self.nodes.saturating_add(m);
                        m
                    } else {
                        multiplier
                    };
                    self.walk(
                        &f.selection_set.node,
                        &info.type_name,
                        child_multiplier,
                        depth,
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
                    self.walk(&fragment.node.selection_set.node, &on, multiplier, depth);
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
                    self.walk(&inline.node.selection_set.node, &on, multiplier, depth);
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

/// Measure one operation; `Err` with the reason when a limit is exceeded.
fn check_operation(
    doc: &ExecutableDocument,
    shape: &SchemaShape,
    variables: &Variables,
    operation: &Positioned<OperationDefinition>,
) -> Result<(), String> {
    let mut m = Measure {
        doc,
        shape,
        variables,
        operation: &operation.node,
        aliases: 0,
        max_depth: 0,
        nodes: 0,
        fragment_stack: Vec::new(),
        visits: 0,
        error: None,
    };
    m.walk(
        &operation.node.selection_set.node,
        root_type(operation.node.ty),
        1,
        0,
    );
    if let Some(e) = m.error {
        return Err(e);
    }
    if m.max_depth > MAX_DEPTH {
        return Err(format!(
            "query depth {} exceeds the limit of {MAX_DEPTH}",
            m.max_depth
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
    Ok(())
}

/// The first field other than `id` (and `__typename`) selected inside a
/// mutation's answer, if any (following fragments): what a token without
/// READ may not select. Even the changed object's own fields would read
/// what the mutation did not write (`updateSpace(input: {}) { description }`).
fn reads_beyond_ids(doc: &ExecutableDocument, operation: &OperationDefinition) -> Option<String> {
    /// The fields of a selection set, each named fragment expanded once
    /// (a fragment spread twice, or spreading itself, adds nothing new).
    fn fields<'a>(
        doc: &'a ExecutableDocument,
        set: &'a SelectionSet,
        seen: &mut Vec<&'a Name>,
        out: &mut Vec<&'a async_graphql::parser::types::Field>,
    ) {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => out.push(&f.node),
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if seen.contains(&name) {
                        continue;
                    }
                    seen.push(name);
                    if let Some(fragment) = doc.fragments.get(name) {
                        fields(doc, &fragment.node.selection_set.node, seen, out);
                    }
                }
                Selection::InlineFragment(inline) => {
                    fields(doc, &inline.node.selection_set.node, seen, out)
                }
            }
        }
    }
    let mut roots = Vec::new();
    fields(
        doc,
        &operation.selection_set.node,
        &mut Vec::new(),
        &mut roots,
    );
    for root in roots {
        let mut answer = Vec::new();
        fields(doc, &root.selection_set.node, &mut Vec::new(), &mut answer);
        if let Some(field) = answer
            .iter()
            .map(|f| f.name.node.as_str())
            .find(|name| *name != "id" && *name != "__typename")
        {
            return Some(format!("{}.{field}", root.name.node));
        }
    }
    None
}

/// The extension factory; create once per schema.
pub struct QueryLimits {
    shape: Arc<SchemaShape>,
}

impl QueryLimits {
    pub fn new(shape: SchemaShape) -> Self {
        Self {
            shape: Arc::new(shape),
        }
    }
}

impl ExtensionFactory for QueryLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(QueryLimitsExtension {
            shape: self.shape.clone(),
            operation_name: Mutex::new(None),
        })
    }
}

struct QueryLimitsExtension {
    shape: Arc<SchemaShape>,
    /// The requested operation name, remembered from `prepare_request`.
    operation_name: Mutex<Option<String>>,
}

#[async_trait::async_trait]
impl Extension for QueryLimitsExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Ok(mut name) = self.operation_name.lock() {
            name.clone_from(&request.operation_name);
        }
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if query.len() > MAX_QUERY_BYTES {
            return Err(too_complex(format!(
                "query text exceeds {MAX_QUERY_BYTES} bytes"
            )));
        }
        let doc = next.run(ctx, query, variables).await?;
        for (_, operation) in doc.operations.iter() {
            check_operation(&doc, &self.shape, variables, operation).map_err(too_complex)?;
        }
        let wanted = self.operation_name.lock().ok().and_then(|n| n.clone());
        let selected = doc
            .operations
            .iter()
            .find(|(name, _)| match (&wanted, name) {
                (Some(w), Some(n)) => n.as_str() == w,
                (None, _) => true,
                (Some(_), None) => false,
            })
            .map(|(_, op)| op.node.ty);
        if let Some(ty) = selected {
            // Fail closed: without a request context there is no viewer to vet.
            let viewer = ctx
                .data_opt::<RequestCtx>()
                .map(|rc| &rc.core.viewer)
                .ok_or_else(|| {
                    super::error::to_graphql(&ApiError::internal(anyhow::anyhow!(
                        "request context missing"
                    )))
                    .into_server_error(Default::default())
                })?;
            let refuse =
                |e: ApiError| super::error::to_graphql(&e).into_server_error(Default::default());
            let operation = match ty {
                OperationType::Mutation => policy::Operation::Write,
                OperationType::Query | OperationType::Subscription => policy::Operation::Read,
            };
            policy::ensure_may_run(viewer, operation).map_err(refuse)?;
            if ty == OperationType::Mutation && !policy::may_read(viewer) {
                // A token that may not read learns which object it changed,
                // nothing more.
                let op = doc
                    .operations
                    .iter()
                    .find(|(name, _)| match (&wanted, name) {
                        (Some(w), Some(n)) => n.as_str() == w,
                        (None, _) => true,
                        (Some(_), None) => false,
                    })
                    .map(|(_, op)| op);
                if let Some(field) = op.and_then(|op| reads_beyond_ids(&doc, &op.node)) {
                    return Err(refuse(ApiError::forbidden(format!(
                        "this API token has no READ scope: a mutation answers it with the changed object's `id` only (`{field}` would read)"
                    ))));
                }
            }
        }
        Ok(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDL: &str = r#"
        type Query { organization(id: ID): Organization organizations(first: Int): OrganizationConnection! }
        type Organization { name: String! agreements(first: Int): AgreementConnection! partners: [Organization!]! }
        type OrganizationConnection { nodes: [Organization!]! edges: [OrganizationEdge!]! }
        type OrganizationEdge { node: Organization! cursor: String! }
        type AgreementConnection { nodes: [Agreement!]! }
        type Agreement { title: String! projects(first: Int): ProjectConnection! }
        type ProjectConnection { nodes: [Project!]! }
        type Project { title: String! events(first: Int): EventConnection! }
        type EventConnection { nodes: [Event!]! }
        type Event { title: String! }
    "#;

    fn check(query: &str) -> Result<(), String> {
        let shape = SchemaShape::from_sdl(SDL).unwrap();
        let doc = async_graphql::parser::parse_query(query).unwrap();
        let vars = Variables::default();
        let mut result = Ok(());
        for (_, op) in doc.operations.iter() {
            result = result.and(check_operation(&doc, &shape, &vars, op));
        }
        result
    }

    #[test]
    fn dashboard_query_fits_and_three_nested_hundreds_do_not() {
        let dashboard = "{ organization(id: \"x\") { agreements(first: 50) { nodes { projects(first: 50) { nodes { events(first: 50) { nodes { title } } } } } } } }";
        assert_eq!(check(dashboard), Ok(()));
        let hundreds = dashboard.replace("50", "100");
        assert!(check(&hundreds).unwrap_err().contains("1010100 nodes"));
    }

    #[test]
    fn depth_ignores_introspection_but_counts_fields() {
        let deep = "{ organization { partners { partners { partners { partners { partners { partners { partners { partners { partners { partners { name } } } } } } } } } } } }";
        assert!(check(deep).unwrap_err().contains("depth"));
        assert_eq!(
            check(
                "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }"
            ),
            Ok(())
        );
    }

    #[test]
    fn aliases_and_directives_are_capped() {
        let many: String = (0..16)
            .map(|i| format!("a{i}: organization {{ name }} "))
            .collect();
        assert!(
            check(&format!("{{ {many} }}"))
                .unwrap_err()
                .contains("aliases")
        );
        let dirs = "{ organization @include(if: true) @include(if: true) @include(if: true) @include(if: true) @include(if: true) @include(if: true) { name } }";
        assert!(check(dirs).unwrap_err().contains("directives"));
    }

    #[test]
    fn fragment_cycles_do_not_hang() {
        let q = "{ organization { ...A } } fragment A on Organization { partners { ...A } }";
        assert_eq!(check(q), Ok(()));
    }

    #[test]
    fn fragments_spread_twice_cannot_explode() {
        // 40 fragments, each spreading the next twice: 2^40 fields if
        // expanded; refused after a bounded walk instead.
        let mut q = String::from("{ organization { ...F1 } }");
        for i in 1..40 {
            q.push_str(&format!(
                " fragment F{i} on Organization {{ name ...F{n} ...F{n} }}",
                n = i + 1
            ));
        }
        q.push_str(" fragment F40 on Organization { name }");
        let started = std::time::Instant::now();
        let refused = check(&q).unwrap_err();
        assert!(refused.contains("fields"), "{refused}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn a_write_only_answer_is_ids_only_whatever_the_fragments() {
        let reads = |q: &str| {
            let doc = async_graphql::parser::parse_query(q).unwrap();
            let (_, op) = doc.operations.iter().next().unwrap();
            reads_beyond_ids(&doc, &op.node)
        };
        assert_eq!(reads("mutation { book { id __typename } }"), None);
        assert_eq!(
            reads("mutation { book { ...A } } fragment A on B { id }"),
            None
        );
        assert_eq!(
            reads("mutation { book { ...A } } fragment A on B { id ...A ...A title }"),
            Some("book.title".into())
        );
        let mut deep = String::from("mutation { book { ...F1 } }");
        for i in 1..40 {
            deep.push_str(&format!(
                " fragment F{i} on B {{ id ...F{n} ...F{n} }}",
                n = i + 1
            ));
        }
        deep.push_str(" fragment F40 on B { status }");
        assert_eq!(reads(&deep), Some("book.status".into()));
    }
}
