//! Rules over the document as written (each selection once, fragments not
//! expanded) that async-graphql's validation does not apply everywhere: it
//! skips `__typename`, so `__typename @include(if: true) @include(if: true)`
//! would run; and with introspection turned off it answers `__schema` with
//! a silent `null`.

use std::collections::HashSet;

use async_graphql::Positioned;
use async_graphql::parser::types::{Directive, ExecutableDocument, Selection, SelectionSet};
use service::ApiError;

/// Refuse a directive used twice at one place (GraphQL specification,
/// "Directives Are Unique Per Location": none this schema accepts is
/// `repeatable` — a test keeps it so), and — when the operator turned
/// introspection off — any `__schema` or `__type`.
pub(super) fn check_document(
    doc: &ExecutableDocument,
    introspection: bool,
) -> Result<(), ApiError> {
    let check = Check { introspection };
    for (_, operation) in doc.operations.iter() {
        check.directives(&operation.node.directives)?;
        for variable in &operation.node.variable_definitions {
            check.directives(&variable.node.directives)?;
        }
        check.selections(&operation.node.selection_set.node)?;
    }
    for fragment in doc.fragments.values() {
        check.directives(&fragment.node.directives)?;
        check.selections(&fragment.node.selection_set.node)?;
    }
    Ok(())
}

struct Check {
    introspection: bool,
}

impl Check {
    fn directives(&self, directives: &[Positioned<Directive>]) -> Result<(), ApiError> {
        let mut seen = HashSet::new();
        for directive in directives {
            let name = directive.node.name.node.as_str();
            if !seen.insert(name) {
                return Err(ApiError::bad_input(
                    "query",
                    format!("the directive @{name} may appear only once at one place"),
                ));
            }
        }
        Ok(())
    }

    fn selections(&self, set: &SelectionSet) -> Result<(), ApiError> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    if !self.introspection && (name == "__schema" || name == "__type") {
                        return Err(ApiError::bad_input(
                            name,
                            "introspection is turned off on this server",
                        ));
                    }
                    self.directives(&field.node.directives)?;
                    self.selections(&field.node.selection_set.node)?;
                }
                Selection::FragmentSpread(spread) => self.directives(&spread.node.directives)?,
                Selection::InlineFragment(inline) => {
                    self.directives(&inline.node.directives)?;
                    self.selections(&inline.node.selection_set.node)?;
                }
            }
        }
        Ok(())
    }
}
