//! The shape of the schema the limits measure against: each object field's
//! named type and whether it is a list — the introspection types included,
//! whose lists count as many items as this schema really has. Built once
//! from the exported SDL.

use std::collections::HashMap;

use async_graphql::Variables;
use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};

use super::measure::measure;
use super::{LIST_FANOUT, STANDARD_INTROSPECTION};

#[derive(Debug, Clone)]
pub(super) struct FieldInfo {
    pub(super) type_name: String,
    pub(super) is_list: bool,
    /// How many items a list of objects counts as.
    pub(super) fanout: u64,
}

/// What the analysis needs to know about the schema: each object field's
/// named type and whether it is a list. Built once from the exported SDL.
#[derive(Debug, Default)]
pub struct SchemaShape {
    fields: HashMap<String, HashMap<String, FieldInfo>>,
    /// The nodes introspection may cost in one request: twice the
    /// standard introspection query's.
    pub(super) introspection_budget: u64,
}

fn unwrap_type(ty: &Type) -> (String, bool) {
    match &ty.base {
        BaseType::Named(name) => (name.to_string(), false),
        BaseType::List(inner) => (unwrap_type(inner).0, true),
    }
}

/// The largest counts of the schema, which introspection lists return.
#[derive(Default)]
struct Sizes {
    types: u64,
    directives: u64,
    fields: u64,
    args: u64,
    input_fields: u64,
    enum_values: u64,
    implementers: u64,
}

/// The types and directives GraphQL itself adds to every schema: the
/// introspection types and built-in scalars, and @include, @skip,
/// @deprecated, @specifiedBy, @oneOf.
const BUILT_IN_TYPES: u64 = 13;
const BUILT_IN_DIRECTIVES: u64 = 5;

impl SchemaShape {
    pub fn from_sdl(sdl: &str) -> anyhow::Result<Self> {
        let doc = async_graphql::parser::parse_schema(sdl)?;
        let mut fields = HashMap::new();
        let mut sizes = Sizes {
            types: BUILT_IN_TYPES,
            directives: BUILT_IN_DIRECTIVES,
            ..Sizes::default()
        };
        let mut implementers: HashMap<String, u64> = HashMap::new();
        for def in doc.definitions {
            let ty = match def {
                TypeSystemDefinition::Type(ty) => ty,
                TypeSystemDefinition::Directive(_) => {
                    sizes.directives += 1;
                    continue;
                }
                TypeSystemDefinition::Schema(_) => continue,
            };
            sizes.types += 1;
            let type_fields = match &ty.node.kind {
                TypeKind::Object(o) => {
                    for i in &o.implements {
                        *implementers.entry(i.node.to_string()).or_default() += 1;
                    }
                    &o.fields
                }
                TypeKind::Interface(i) => &i.fields,
                TypeKind::Union(u) => {
                    sizes.implementers = sizes.implementers.max(u.members.len() as u64);
                    continue;
                }
                TypeKind::Enum(e) => {
                    sizes.enum_values = sizes.enum_values.max(e.values.len() as u64);
                    continue;
                }
                TypeKind::InputObject(o) => {
                    sizes.input_fields = sizes.input_fields.max(o.fields.len() as u64);
                    continue;
                }
                TypeKind::Scalar => continue,
            };
            sizes.fields = sizes.fields.max(type_fields.len() as u64);
            let map = type_fields
                .iter()
                .map(|f| {
                    sizes.args = sizes.args.max(f.node.arguments.len() as u64);
                    let (type_name, is_list) = unwrap_type(&f.node.ty.node);
                    let info = FieldInfo {
                        type_name,
                        is_list,
                        fanout: LIST_FANOUT,
                    };
                    (f.node.name.node.to_string(), info)
                })
                .collect();
            fields.insert(ty.node.name.node.to_string(), map);
        }
        let most_implementers = implementers.into_values().max().unwrap_or(0);
        sizes.implementers = sizes.implementers.max(most_implementers);
        let mut shape = SchemaShape {
            fields,
            introspection_budget: u64::MAX,
        };
        shape.add_introspection(&sizes);
        let standard = async_graphql::parser::parse_query(STANDARD_INTROSPECTION)?;
        let no_variables = Variables::default();
        let mut cost: u64 = 0;
        for (_, operation) in standard.operations.iter() {
            let m = measure(&standard, &shape, &no_variables, operation);
            cost += m.introspection_nodes;
        }
        shape.introspection_budget = cost.saturating_mul(2);
        Ok(shape)
    }

    /// The introspection types (GraphQL specification, section 4.2), each
    /// list as long as the longest such list in this schema, so that
    /// introspection costs what it returns.
    fn add_introspection(&mut self, sizes: &Sizes) {
        let object = |type_name: &str| FieldInfo {
            type_name: type_name.into(),
            is_list: false,
            fanout: 1,
        };
        let list = |type_name: &str, fanout: u64| FieldInfo {
            type_name: type_name.into(),
            is_list: true,
            fanout: fanout.max(1),
        };
        let mut add = |type_name: &str, entries: Vec<(&str, FieldInfo)>| {
            let map = self.fields.entry(type_name.into()).or_default();
            for (name, info) in entries {
                map.insert(name.into(), info);
            }
        };
        for root in ["Query", "Mutation", "Subscription"] {
            add(
                root,
                vec![
                    ("__schema", object("__Schema")),
                    ("__type", object("__Type")),
                ],
            );
        }
        add(
            "__Schema",
            vec![
                ("types", list("__Type", sizes.types)),
                ("queryType", object("__Type")),
                ("mutationType", object("__Type")),
                ("subscriptionType", object("__Type")),
                ("directives", list("__Directive", sizes.directives)),
            ],
        );
        add(
            "__Type",
            vec![
                ("fields", list("__Field", sizes.fields)),
                ("interfaces", list("__Type", sizes.implementers)),
                ("possibleTypes", list("__Type", sizes.implementers)),
                ("enumValues", list("__EnumValue", sizes.enum_values)),
                ("inputFields", list("__InputValue", sizes.input_fields)),
                ("ofType", object("__Type")),
            ],
        );
        add(
            "__Field",
            vec![
                ("args", list("__InputValue", sizes.args)),
                ("type", object("__Type")),
            ],
        );
        add("__InputValue", vec![("type", object("__Type"))]);
        add(
            "__Directive",
            vec![("args", list("__InputValue", sizes.args))],
        );
    }

    pub(super) fn field(&self, type_name: &str, field: &str) -> Option<&FieldInfo> {
        self.fields.get(type_name)?.get(field)
    }
}
