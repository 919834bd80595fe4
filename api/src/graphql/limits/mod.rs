//! Limits every request meets before anything executes, and the per-request
//! gate of API token scopes ([`policy::ensure_may_run`]): no mutations
//! without WRITE, no queries without READ, and for a token without READ a
//! mutation's answer holds only the changed object's `id`.
//!
//! async-graphql's own depth limit counts introspection, which would break
//! GraphiQL and client generators, and its complexity counts scalar fields;
//! the contract wants neither. So the document is measured here:
//!
//! - depth ≤ 10; introspection (`__schema`, `__type`), whose `ofType`
//!   chains run deeper than data, ≤ 20;
//! - at most 15 aliases per operation and 5 directives per field, every
//!   field counted (`__typename` and introspection included); a
//!   non-repeatable directive twice at one place is refused as the
//!   specification says (BAD_USER_INPUT, like other invalid documents);
//! - nodes ≤ 200,000, counted like GitHub's node limit: a connection field
//!   returns `first` (default 20) nodes for each of its parents, and what it
//!   contains is multiplied by that; a plain list of objects counts as 10.
//!   organization → agreements(50) → projects(50) → events(50) is
//!   50 + 2,500 + 125,000 = 127,550 nodes and passes; three nested
//!   `first: 100` are 1,010,100 and do not. Introspection lists count as
//!   long as the longest such list in the schema (every type, the most
//!   fields of a type, ...), and all introspection in a request may cost at
//!   most twice the standard introspection query
//!   ([`STANDARD_INTROSPECTION`]): GraphiQL and client generators pass,
//!   aliased copies of the type system do not;
//! - and while executing, the response's size is counted field by field:
//!   once past [`MAX_RESPONSE_BYTES`] every further field is refused, so a
//!   query of many long text fields stops growing the server's memory; the
//!   HTTP handler then replaces such a response by the refusal.
//!
//! Refusals carry `extensions.code = QUERY_TOO_COMPLEX`.

mod document;
mod measure;
mod shape;
#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest, NextResolve,
    ResolveInfo,
};
use async_graphql::parser::types::{
    ExecutableDocument, OperationDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::{Name, Request, ServerResult, Value, Variables};

use crate::graphql::RequestCtx;
use measure::{check_operation, too_complex};
use service::ApiError;
use service::policy;
pub use shape::SchemaShape;

pub const MAX_DEPTH: usize = 10;
pub const MAX_INTROSPECTION_DEPTH: usize = 20;
/// What GraphiQL and client generators send; introspection may cost twice it.
pub const STANDARD_INTROSPECTION: &str = include_str!("standard_introspection.graphql");
/// A response larger than this is not sent; the client gets the refusal.
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;
pub const MAX_ALIASES: usize = 15;
pub const MAX_DIRECTIVES_PER_FIELD: usize = 5;
pub const MAX_NODES: u64 = 200_000;
/// Fields a document may select once its fragments are expanded.
pub const MAX_FIELD_VISITS: usize = 10_000;
/// Query text larger than this is refused before parsing.
pub const MAX_QUERY_BYTES: usize = 15_000;
/// Assumed size of a plain (non-connection) list of objects.
pub(crate) const LIST_FANOUT: u64 = 10;
pub(crate) const DEFAULT_FIRST: u64 = 20;

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
    introspection: bool,
}

impl QueryLimits {
    /// `introspection`: whether the schema answers it (when not, asking is
    /// refused rather than answered with `null`).
    pub fn new(shape: SchemaShape, introspection: bool) -> Self {
        Self {
            shape: Arc::new(shape),
            introspection,
        }
    }
}

impl ExtensionFactory for QueryLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(QueryLimitsExtension {
            shape: self.shape.clone(),
            introspection: self.introspection,
            operation_name: Mutex::new(None),
            response_bytes: AtomicUsize::new(0),
        })
    }
}

struct QueryLimitsExtension {
    shape: Arc<SchemaShape>,
    introspection: bool,
    /// The requested operation name, remembered from `prepare_request`.
    operation_name: Mutex<Option<String>>,
    /// The response's size so far, as JSON, give or take punctuation.
    response_bytes: AtomicUsize,
}

/// The JSON size of what a field itself adds: scalars; an object's or a
/// list of objects' fields are counted as they resolve.
fn own_bytes(value: &Value) -> usize {
    match value {
        Value::Null => 4,
        Value::Number(_) => 8,
        Value::Boolean(_) => 5,
        Value::String(s) => s.len() + 2,
        Value::Enum(e) => e.len() + 2,
        Value::Binary(b) => b.len() * 2,
        Value::List(items) => items.iter().map(own_bytes).sum::<usize>() + 2,
        Value::Object(_) => 2,
    }
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
        let refuse = |e: ApiError| {
            crate::graphql::error::to_graphql(&e).into_server_error(Default::default())
        };
        document::check_document(&doc, self.introspection).map_err(refuse)?;
        let wanted = self.operation_name.lock().ok().and_then(|n| n.clone());
        let selected = doc
            .operations
            .iter()
            .find(|(name, _)| match (&wanted, name) {
                (Some(w), Some(n)) => n.as_str() == w,
                (None, _) => true,
                (Some(_), None) => false,
            })
            .map(|(_, op)| op);
        if let Some(op) = selected {
            let ty = op.node.ty;
            // Fail closed: without a request context there is no viewer to vet.
            let viewer = ctx
                .data_opt::<RequestCtx>()
                .map(|rc| &rc.core.viewer)
                .ok_or_else(|| {
                    crate::graphql::error::to_graphql(&ApiError::internal(anyhow::anyhow!(
                        "request context missing"
                    )))
                    .into_server_error(Default::default())
                })?;
            let operation = match ty {
                OperationType::Mutation => policy::Operation::Write,
                OperationType::Query | OperationType::Subscription => policy::Operation::Read,
            };
            policy::ensure_may_run(viewer, operation).map_err(refuse)?;
            if ty == OperationType::Mutation {
                policy::ensure_may_see_answer(viewer, || reads_beyond_ids(&doc, &op.node))
                    .map_err(refuse)?;
            }
        }
        Ok(doc)
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if self.response_bytes.load(Ordering::Relaxed) > MAX_RESPONSE_BYTES {
            return Err(too_complex(format!(
                "the response would exceed {} MiB; ask for fewer nodes",
                MAX_RESPONSE_BYTES / (1024 * 1024)
            )));
        }
        let key = info.alias.unwrap_or(info.name).len() + 3;
        let value = next.run(ctx, info).await?;
        let bytes = key + value.as_ref().map_or(4, own_bytes);
        self.response_bytes.fetch_add(bytes, Ordering::Relaxed);
        Ok(value)
    }
}
