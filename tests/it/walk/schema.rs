//! The committed `schema.graphql`, parsed at run time into its object
//! types and their fields.

use std::collections::{BTreeMap, BTreeSet};

use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};

pub(super) struct FieldDef {
    pub(super) name: String,
    pub(super) args: Vec<ArgDef>,
    /// The named type, lists and non-null unwrapped.
    pub(super) ty: String,
    pub(super) list: bool,
    non_null: bool,
}

pub(super) struct ArgDef {
    pub(super) name: String,
    pub(super) ty: String,
    pub(super) required: bool,
}

pub(super) struct Schema {
    pub(super) objects: BTreeMap<String, Vec<FieldDef>>,
    /// Scalars and enums.
    leaves: BTreeSet<String>,
}

fn named(ty: &Type) -> String {
    match &ty.base {
        BaseType::Named(name) => name.to_string(),
        BaseType::List(inner) => named(inner),
    }
}

impl Schema {
    pub(super) fn load() -> Schema {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql");
        let sdl = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
        let doc = async_graphql::parser::parse_schema(&sdl)
            .unwrap_or_else(|e| panic!("parse schema.graphql: {e}"));
        let mut objects = BTreeMap::new();
        let mut leaves: BTreeSet<String> = ["ID", "String", "Int", "Float", "Boolean"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        for def in doc.definitions {
            let TypeSystemDefinition::Type(t) = def else {
                continue;
            };
            let name = t.node.name.node.to_string();
            match &t.node.kind {
                TypeKind::Scalar | TypeKind::Enum(_) => {
                    leaves.insert(name);
                }
                TypeKind::Object(o) => {
                    let fields = o.fields.iter().map(|f| field_def(&f.node)).collect();
                    objects.insert(name, fields);
                }
                TypeKind::Interface(_) | TypeKind::Union(_) => {
                    panic!("{name}: the walk does not handle interfaces or unions yet")
                }
                TypeKind::InputObject(_) => {}
            }
        }
        Schema { objects, leaves }
    }

    pub(super) fn fields(&self, ty: &str) -> &[FieldDef] {
        self.objects
            .get(ty)
            .unwrap_or_else(|| panic!("{ty} is not an object type of schema.graphql"))
    }

    pub(super) fn field(&self, ty: &str, name: &str) -> Option<&FieldDef> {
        self.objects.get(ty)?.iter().find(|f| f.name == name)
    }

    pub(super) fn is_leaf(&self, ty: &str) -> bool {
        self.leaves.contains(ty)
    }

    pub(super) fn has_id(&self, ty: &str) -> bool {
        self.field(ty, "id")
            .is_some_and(|f| f.ty == "ID" && f.non_null && !f.list)
    }
}

fn field_def(f: &async_graphql::parser::types::FieldDefinition) -> FieldDef {
    let ty = &f.ty.node;
    FieldDef {
        name: f.name.node.to_string(),
        args: f
            .arguments
            .iter()
            .map(|a| ArgDef {
                name: a.node.name.node.to_string(),
                ty: named(&a.node.ty.node),
                required: !a.node.ty.node.nullable && a.node.default_value.is_none(),
            })
            .collect(),
        ty: named(ty),
        list: matches!(ty.base, BaseType::List(_)),
        non_null: !ty.nullable,
    }
}
