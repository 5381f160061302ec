//! Objects repeated many times on one page (a ticket list) answered in one pass over their
//! selection.
//!
//! async-graphql resolves every field of every object through a boxed future, a path node and
//! its extension chain (which a schema with any extension, like the cost guard, always walks):
//! a page of 50 tickets × 6 fields paid that 300 times. A [`PlainFields`] object answers its
//! plain fields — data already in hand: no arguments, no loader, no error — straight from its
//! value; any other field goes to the object's generated resolver as before. The answer is the
//! same document: selection order, aliases, fragments, `__typename` and the merging of a
//! response key selected twice all follow async-graphql's own rules (a test compares the two).

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::{
    ContainerType, ContextSelectionSet, Name, OutputType, Positioned, ServerError, ServerResult, Value,
};

/// An object whose plain fields can be answered without running their resolvers.
pub trait PlainFields: ContainerType {
    /// The value of the field named `name` if it is plain, exactly as its resolver would give
    /// it; `None` to run the resolver.
    fn plain(&self, ctx: &ContextSelectionSet<'_>, name: &str) -> Option<Value>;
}

/// `T` on a page: the same GraphQL type, its plain fields answered in one pass.
pub struct Paged<T>(pub T);

impl<T: PlainFields> OutputType for Paged<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, _field: &Positioned<Field>) -> ServerResult<Value> {
        resolve(ctx, &self.0).await
    }
}

/// The object `root` resolved for the selection of `ctx`.
async fn resolve<T: PlainFields>(ctx: &ContextSelectionSet<'_>, root: &T) -> ServerResult<Value> {
    let mut fields = Vec::new();
    collect(ctx, root, &ctx.item.node, &mut fields)?;
    let mut answered = Vec::with_capacity(fields.len());
    let mut resolvers = Vec::new();
    for field in &fields {
        let name = field.node.name.node.as_str();
        if name == "__typename" {
            answered.push(Some(Value::String(root.introspection_type_name().into_owned())));
        } else {
            let plain = root.plain(ctx, name);
            if plain.is_none() {
                resolvers.push(async move { root.resolve_field(&ctx.with_field(field)).await });
            }
            answered.push(plain);
        }
    }
    // The other fields run at once, as async-graphql runs them: a loader's batch takes them all.
    let mut resolved = futures::future::join_all(resolvers).await.into_iter();
    let mut object = IndexMap::with_capacity(fields.len());
    for (field, value) in fields.iter().zip(answered) {
        let value = match value {
            Some(value) => value,
            None => match resolved.next() {
                Some(Ok(value)) => value.unwrap_or_default(),
                // As async-graphql does: the error is reported and the field left out.
                Some(Err(error)) => {
                    ctx.add_error(error);
                    continue;
                }
                None => continue,
            },
        };
        merge(&mut object, field.node.response_key().node.clone(), value);
    }
    Ok(if object.is_empty() { Value::Null } else { Value::Object(object) })
}

/// The fields of `selection` in order, fragments that apply to `root` spread in place.
fn collect<'a, T: PlainFields>(
    ctx: &ContextSelectionSet<'a>,
    root: &T,
    selection: &'a SelectionSet,
    fields: &mut Vec<&'a Positioned<Field>>,
) -> ServerResult<()> {
    for item in &selection.items {
        let (condition, inner) = match &item.node {
            Selection::Field(field) => {
                fields.push(field);
                continue;
            }
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                let Some(fragment) = ctx.query_env.fragments.get(name) else {
                    return Err(ServerError::new(format!(r#"Unknown fragment "{name}"."#), Some(spread.pos)));
                };
                (Some(fragment.node.type_condition.node.on.node.as_str()), &fragment.node.selection_set.node)
            }
            Selection::InlineFragment(fragment) => (
                fragment.node.type_condition.as_ref().map(|condition| condition.node.on.node.as_str()),
                &fragment.node.selection_set.node,
            ),
        };
        if condition.is_none_or(|condition| applies(ctx, root, condition)) {
            collect(ctx, root, inner, fields)?;
        }
    }
    Ok(())
}

/// Whether a fragment on type `condition` applies to `root`: its own type or an interface it
/// implements.
fn applies<T: PlainFields>(ctx: &ContextSelectionSet<'_>, root: &T, condition: &str) -> bool {
    let own = root.introspection_type_name();
    own == condition
        || T::type_name() == condition
        || ctx.schema_env.registry.implements.get(own.as_ref()).is_some_and(|interfaces| interfaces.contains(condition))
}

/// Inserts a field's value; a response key selected twice merges its objects (async-graphql's
/// rule, so `district { name } district { code }` answers one `district` with both).
fn merge(object: &mut IndexMap<Name, Value>, key: Name, value: Value) {
    match object.get_mut(&key) {
        None => {
            object.insert(key, value);
        }
        Some(Value::Object(existing)) => {
            if let Value::Object(more) = value {
                for (key, value) in more {
                    merge(existing, key, value);
                }
            }
        }
        Some(Value::List(existing)) => {
            if let Value::List(more) = value {
                for (existing, more) in existing.iter_mut().zip(more) {
                    if let (Value::Object(existing), Value::Object(more)) = (existing, more) {
                        for (key, value) in more {
                            merge(existing, key, value);
                        }
                    }
                }
            }
        }
        Some(_) => {}
    }
}
