//! Bounding what a request may ask for before any of it runs.
//!
//! async-graphql's validation walks every fragment spread anew when it measures depth and
//! complexity, so a 1 KB document of 24 fragments, each spreading the previous one twice, costs
//! 2^24 field visits before it is refused. [`measure`] sizes a document first, each fragment once
//! (memoised), in time linear in the document: the fields it expands to, its root fields (one
//! alias of `ticketStats` is one aggregate query; a thousand are a thousand) and its directives.
//! [`CostGuard`] parses the request itself (async-graphql keeps that parse) and refuses a
//! document over [`Limits`] before anything else walks it: before async-graphql's own recursion
//! check (which expands fragments too), validation, execution or any database work. Documents
//! that passed are kept by their text ([`DocumentCache`]): the next request sending the same
//! text skips parsing and measuring.

mod documents;

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Request, ServerResult};
use civitas_core::i18n::Message;
pub use documents::{CACHED_DOCUMENTS, DocumentCache, MAX_CACHED_DOCUMENT_BYTES};

/// What one request may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Nesting of fields, introspection (`__schema`, `__type`) not counted: tools' standard
    /// introspection query nests type references deeper than any query of the API needs.
    pub max_depth: u64,
    /// Fields of an operation once every fragment is expanded.
    pub max_expanded_fields: u64,
    /// Root fields (aliases included) of an operation.
    pub max_root_fields: u64,
    /// Directives in the document.
    pub max_directives: usize,
    /// Whether clients may introspect the schema (GraphiQL's docs, codegen tools need it).
    pub introspection: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: crate::schema::MAX_DEPTH,
            max_expanded_fields: 2_000,
            max_root_fields: 100,
            max_directives: 100,
            introspection: true,
        }
    }
}

/// The size of a document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measure {
    /// Fields of its largest operation, every fragment expanded (saturating).
    pub expanded_fields: u64,
    /// Root fields of its largest operation, fragments at the root expanded.
    pub root_fields: u64,
    /// Nesting of its deepest operation, introspection not counted.
    pub depth: u64,
    /// Directives anywhere in it.
    pub directives: usize,
    /// Selections looked at to measure it: each selection of the document once.
    pub visited: usize,
}

/// Why a document is refused before it runs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// It expands to too many fields.
    #[error("the query expands to more than {limit} fields")]
    TooManyFields {
        /// The limit.
        limit: u64,
    },
    /// It nests too deep.
    #[error("the query nests {found} fields deep; at most {limit} are allowed")]
    TooDeep {
        /// The limit.
        limit: u64,
        /// Its depth.
        found: u64,
    },
    /// It has too many root fields.
    #[error("an operation may have at most {limit} root fields (aliases included); this one has {found}")]
    TooManyRootFields {
        /// The limit.
        limit: u64,
        /// What it has.
        found: u64,
    },
    /// It has too many directives.
    #[error("a query may have at most {limit} directives; this one has {found}")]
    TooManyDirectives {
        /// The limit.
        limit: usize,
        /// What it has.
        found: usize,
    },
    /// A fragment spreads itself, directly or through others.
    #[error("fragment `{0}` spreads itself")]
    FragmentCycle(String),
}

impl Refusal {
    /// The refusal, translatable.
    pub fn message(&self) -> Message {
        match self {
            Refusal::TooManyFields { limit } => {
                Message::new("the query expands to more than {limit} fields").arg("limit", limit)
            }
            Refusal::TooDeep { limit, found } => {
                Message::new("the query nests {found} fields deep; at most {limit} are allowed")
                    .arg("found", found)
                    .arg("limit", limit)
            }
            Refusal::TooManyRootFields { limit, found } => Message::new(
                "an operation may have at most {limit} root fields (aliases included); this one has {found}",
            )
            .arg("limit", limit)
            .arg("found", found),
            Refusal::TooManyDirectives { limit, found } => {
                Message::new("a query may have at most {limit} directives; this one has {found}")
                    .arg("limit", limit)
                    .arg("found", found)
            }
            Refusal::FragmentCycle(name) => Message::new("fragment `{name}` spreads itself").arg("name", name),
        }
    }
}

/// The expanded fields, root fields and depth of one selection set, or of one fragment.
#[derive(Debug, Clone, Copy, Default)]
struct Size {
    fields: u64,
    root_fields: u64,
    depth: u64,
}

/// Fields whose subtrees are introspection, counted in fields but not in depth.
fn is_introspection(name: &str) -> bool {
    matches!(name, "__schema" | "__type")
}

struct Measurer<'a> {
    document: &'a ExecutableDocument,
    fragments: HashMap<&'a Name, Option<Size>>,
    directives: usize,
    visited: usize,
}

impl<'a> Measurer<'a> {
    fn selection_set(&mut self, set: &'a SelectionSet) -> Result<Size, Refusal> {
        let mut size = Size::default();
        for selection in &set.items {
            self.visited += 1;
            self.directives += selection.node.directives().len();
            let inner = match &selection.node {
                Selection::Field(field) => {
                    let children = self.selection_set(&field.node.selection_set.node)?;
                    let depth = if is_introspection(field.node.name.node.as_str()) { 1 } else { children.depth + 1 };
                    Size { fields: children.fields.saturating_add(1), root_fields: 1, depth }
                }
                Selection::InlineFragment(fragment) => self.selection_set(&fragment.node.selection_set.node)?,
                Selection::FragmentSpread(spread) => self.fragment(&spread.node.fragment_name.node)?,
            };
            size.fields = size.fields.saturating_add(inner.fields);
            size.root_fields = size.root_fields.saturating_add(inner.root_fields);
            size.depth = size.depth.max(inner.depth);
        }
        Ok(size)
    }

    fn fragment(&mut self, name: &'a Name) -> Result<Size, Refusal> {
        match self.fragments.get(name) {
            Some(Some(size)) => return Ok(*size),
            Some(None) => return Err(Refusal::FragmentCycle(name.to_string())),
            None => {}
        }
        // An unknown fragment is validation's to report; it costs nothing here.
        let Some(definition) = self.document.fragments.get(name) else {
            return Ok(Size::default());
        };
        self.fragments.insert(name, None);
        self.directives += definition.node.directives.len();
        let size = self.selection_set(&definition.node.selection_set.node)?;
        self.fragments.insert(name, Some(size));
        Ok(size)
    }
}

/// Measures `document`, each fragment once.
pub fn measure(document: &ExecutableDocument) -> Result<Measure, Refusal> {
    let mut measurer = Measurer { document, fragments: HashMap::new(), directives: 0, visited: 0 };
    let mut measure = Measure::default();
    for (_, operation) in document.operations.iter() {
        measurer.directives += operation.node.directives.len();
        let size = measurer.selection_set(&operation.node.selection_set.node)?;
        measure.expanded_fields = measure.expanded_fields.max(size.fields);
        measure.root_fields = measure.root_fields.max(size.root_fields);
        measure.depth = measure.depth.max(size.depth);
    }
    // Fragments no operation spreads are validation's to refuse, but they are sized too: their
    // directives count like any others.
    for name in document.fragments.keys() {
        measurer.fragment(name)?;
    }
    measure.directives = measurer.directives;
    measure.visited = measurer.visited;
    Ok(measure)
}

/// Refuses a document over `limits`, if it is.
pub fn check(document: &ExecutableDocument, limits: &Limits) -> Result<Measure, Refusal> {
    let measure = measure(document)?;
    if measure.directives > limits.max_directives {
        return Err(Refusal::TooManyDirectives { limit: limits.max_directives, found: measure.directives });
    }
    if measure.depth > limits.max_depth {
        return Err(Refusal::TooDeep { limit: limits.max_depth, found: measure.depth });
    }
    if measure.root_fields > limits.max_root_fields {
        return Err(Refusal::TooManyRootFields { limit: limits.max_root_fields, found: measure.root_fields });
    }
    if measure.expanded_fields > limits.max_expanded_fields {
        return Err(Refusal::TooManyFields { limit: limits.max_expanded_fields });
    }
    Ok(measure)
}

/// Applies [`check`] to every request right after parsing, and keeps the documents that passed:
/// the server's transports call [`CostGuard::prepare`] before the schema runs (a schema with any
/// extension pays for its hook on every field it resolves), and a schema built for embedding
/// ([`crate::build_schema`]) carries it as an async-graphql extension.
#[derive(Debug, Clone, Default)]
pub struct CostGuard {
    limits: Limits,
    documents: Arc<DocumentCache>,
}

impl CostGuard {
    /// A guard applying `limits`, with an empty document cache.
    pub fn new(limits: Limits) -> Self {
        CostGuard { limits, documents: Arc::default() }
    }

    /// The limits it applies.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The documents it keeps.
    pub fn documents(&self) -> &Arc<DocumentCache> {
        &self.documents
    }

    /// Gives `request` its checked document, kept from an earlier request or parsed, measured
    /// and kept now, or refuses it. Marked as checked, a request is not looked at twice (by a
    /// transport and then by the schema's extension). A syntax error is left to async-graphql
    /// to report, as it always does.
    pub fn prepare(&self, request: &mut Request) -> ServerResult<()> {
        if request.data.contains_key(&std::any::TypeId::of::<documents::Checked>()) {
            return Ok(());
        }
        if let Some(document) = self.documents.get(&request.query) {
            request.set_parsed_query(document);
            request.data.insert(documents::Checked);
            return Ok(());
        }
        let text = request.query.clone();
        if let Ok(document) = request.parsed_query() {
            self.documents.count_parse();
            match check(document, &self.limits) {
                Err(refusal) => return Err(crate::errors::bad_input_at_root(refusal.message())),
                Ok(_) => self.documents.keep(&text, document),
            }
            request.data.insert(documents::Checked);
        }
        Ok(())
    }
}

impl ExtensionFactory for CostGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(self.clone())
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for CostGuard {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        self.prepare(&mut request)?;
        next.run(ctx, request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Tiny;

    #[async_graphql::Object]
    impl Tiny {
        async fn answer(&self) -> i32 {
            42
        }
    }

    /// Counted parses, not timings: a document sent again is not parsed again, a refused one
    /// is never kept, and a long one is never kept.
    #[tokio::test]
    async fn a_document_sent_again_is_not_parsed_again() {
        let guard = CostGuard::new(Limits { max_root_fields: 2, ..Limits::default() });
        let schema = async_graphql::Schema::build(Tiny, async_graphql::EmptyMutation, async_graphql::EmptySubscription)
            .extension(guard.clone())
            .finish();
        for _ in 0..3 {
            let response = schema.execute("{ answer }").await;
            assert_eq!(response.data.into_json().expect("json"), serde_json::json!({ "answer": 42 }));
        }
        assert_eq!(guard.documents().parsed(), 1);
        let _ = schema.execute("{ again: answer }").await;
        assert_eq!(guard.documents().parsed(), 2);
        for _ in 0..2 {
            let refused = schema.execute("{ a: answer b: answer c: answer }").await;
            assert_eq!(refused.errors.len(), 1, "over the root-field limit each time");
        }
        assert_eq!(guard.documents().parsed(), 4);
        let long = format!("{{ answer }} # {}", "x".repeat(MAX_CACHED_DOCUMENT_BYTES));
        for _ in 0..2 {
            assert!(schema.execute(long.as_str()).await.errors.is_empty());
        }
        assert_eq!(guard.documents().parsed(), 6);
    }

    /// A request the transport prepared is neither looked up nor parsed again by the schema's
    /// extension; a refused one is refused by `prepare` itself; one the transport did not
    /// prepare is still checked by the extension.
    #[tokio::test]
    async fn a_prepared_request_is_checked_once() {
        let guard = CostGuard::new(Limits { max_root_fields: 2, ..Limits::default() });
        let schema = async_graphql::Schema::build(Tiny, async_graphql::EmptyMutation, async_graphql::EmptySubscription)
            .extension(guard.clone())
            .finish();
        let documents = guard.documents();
        let mut first = Request::new("{ answer }");
        guard.prepare(&mut first).expect("within the limits");
        assert_eq!((documents.parsed(), documents.looked_up()), (1, 1));
        assert!(schema.execute(first).await.errors.is_empty());
        assert_eq!((documents.parsed(), documents.looked_up()), (1, 1), "the extension took it as it was");
        let mut again = Request::new("{ answer }");
        guard.prepare(&mut again).expect("kept");
        let response = schema.execute(again).await;
        assert_eq!(response.data.into_json().expect("json"), serde_json::json!({ "answer": 42 }));
        assert_eq!((documents.parsed(), documents.looked_up()), (1, 2), "found in the cache, once");
        let mut refused = Request::new("{ a: answer b: answer c: answer }");
        assert!(guard.prepare(&mut refused).is_err(), "over the root-field limit");
        assert!(
            !schema.execute("{ a: answer b: answer c: answer }").await.errors.is_empty(),
            "unprepared: refused too"
        );
        assert!(schema.execute("{ answer }").await.errors.is_empty());
        assert_eq!(documents.looked_up(), 5, "unprepared, the extension looks it up itself");
    }

    fn parse(query: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(query).expect("parses")
    }

    /// `depth` fragments, each spreading the previous one twice: 2^depth fields once expanded.
    fn fragment_bomb(depth: usize) -> String {
        let mut query = String::from("fragment F0 on Query { me { role } }\n");
        for level in 1..=depth {
            query.push_str(&format!(
                "fragment F{level} on Query {{ ...F{previous} ...F{previous} }}\n",
                previous = level - 1
            ));
        }
        query.push_str(&format!("{{ ...F{depth} }}"));
        query
    }

    #[test]
    fn a_fragment_bomb_is_measured_in_time_linear_in_its_size() {
        let document = parse(&fragment_bomb(70));
        let sized = measure(&document).expect("no cycle");
        assert_eq!(sized.expanded_fields, u64::MAX, "2^71 fields saturate");
        // 2 selections per fragment, the root spread, `me` and `role`: each looked at once.
        assert!(sized.visited <= 2 * 70 + 3, "visited {}", sized.visited);
        assert!(matches!(check(&document, &Limits::default()), Err(Refusal::TooManyRootFields { .. })));
        let document = parse(&fragment_bomb(24));
        assert_eq!(measure(&document).expect("measured").expanded_fields, 2 << 24);
    }

    #[test]
    fn root_fields_count_aliases_and_fragments_at_the_root() {
        let aliases: String =
            (0..150).map(|index| format!("s{index}: ticketStats(from: $f, to: $t) {{ total }} ")).collect();
        let document = parse(&format!("query($f: DateTime!, $t: DateTime!) {{ {aliases} }}"));
        assert_eq!(check(&document, &Limits::default()), Err(Refusal::TooManyRootFields { limit: 100, found: 150 }));
        let through_fragment =
            parse("fragment Both on Query { a: me { role } b: me { role } } { ...Both c: me { role } }");
        let sized = measure(&through_fragment).expect("measured");
        assert_eq!((sized.root_fields, sized.expanded_fields), (3, 6));
    }

    #[test]
    fn directives_are_counted_and_cycles_refused() {
        let many: String = (0..150).map(|_| "me @include(if: true) { role } ").collect();
        assert!(matches!(
            check(&parse(&format!("{{ {many} }}")), &Limits { max_root_fields: 1_000, ..Limits::default() }),
            Err(Refusal::TooManyDirectives { limit: 100, found: 150 })
        ));
        let cycle = parse("fragment A on Query { ...B } fragment B on Query { ...A } { ...A }");
        assert!(matches!(measure(&cycle), Err(Refusal::FragmentCycle(_))));
        let fine = parse("{ me { role } districts { id name } }");
        assert_eq!(check(&fine, &Limits::default()).map(|sized| sized.expanded_fields), Ok(5));
    }

    #[test]
    fn depth_counts_the_api_not_introspection() {
        let nested = |levels: usize| {
            format!("{{ {}id{} }}", "tickets { edges { node { ".repeat(levels), " } } }".repeat(levels))
        };
        let deep = parse(&nested(5));
        assert!(matches!(check(&deep, &Limits::default()), Err(Refusal::TooDeep { limit: 12, found: 16 })));
        let type_ref = "fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";
        let introspection = parse(&format!("{type_ref} {{ __schema {{ types {{ fields {{ type {{ ...T }} }} }} }} }}"));
        let sized = check(&introspection, &Limits::default()).expect("introspection passes");
        assert_eq!(sized.depth, 1);
        assert!(sized.expanded_fields > 20, "introspection still counts in fields: {sized:?}");
    }
}
