//! Limits every operation meets before it runs, on HTTP and WebSocket alike, and the time limit
//! of its execution.
//!
//! async-graphql's depth and complexity checks walk fragment spreads by expanding them, so a
//! document of a few hundred bytes whose fragments each spread the next one twice costs 2^N
//! steps before any limit can refuse it (`__typename` is not counted at all). This extension
//! counts what a document selects with every spread expanded — each fragment counted once and
//! remembered, so the count itself is linear in the document — and refuses a document over the
//! limit, or with a fragment cycle, right after parsing, before anything expands it.

use std::{
    collections::{HashMap, HashSet},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use async_graphql::{
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute, NextPrepareRequest},
    parser::types::{Directive, ExecutableDocument, Selection, SelectionSet},
    ErrorExtensionValues, Name, Positioned, Request, Response, ServerError, ServerResult, Value,
    Variables,
};

use crate::error::ErrorCode;

/// Longest query document (the text; variables and uploads come on top). Documents are code,
/// not data: the SPA's largest is a few KB and the introspection query 3 KB.
pub const MAX_QUERY_BYTES: usize = 64 * 1024;

/// Most fields one document may select with every fragment spread expanded and every alias and
/// `__typename` counted: the complexity limit, with `__typename` no longer free.
pub const MAX_FIELDS: usize = super::MAX_COMPLEXITY;

/// Set by the time limit when an operation's execution starts: a request refused before that
/// (it did not parse or validate) is a 4xx for clients that accept
/// `application/graphql-response+json`.
#[derive(Clone, Default)]
pub struct ExecutionStarted(Arc<AtomicBool>);

impl ExecutionStarted {
    pub fn get(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// The extension: size and content checks before validation, a time limit on execution.
pub struct Limits {
    /// Longest a query or mutation may run (subscriptions are not limited).
    pub timeout: Duration,
}

impl ExtensionFactory for Limits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitsExtension {
            timeout: self.timeout,
        })
    }
}

struct LimitsExtension {
    timeout: Duration,
}

#[async_trait::async_trait]
impl Extension for LimitsExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if request.query.len() > MAX_QUERY_BYTES {
            return Err(bad_input(format!(
                "The query document is too long ({} KB; at most {} KB). Pass data in variables.",
                request.query.len() / 1024,
                MAX_QUERY_BYTES / 1024
            )));
        }
        if variables_contain_nul(&request.variables) {
            return Err(nul_error());
        }
        // Parsed here, before async-graphql's own checks: its recursion-depth check and several
        // validation rules expand fragment spreads without remembering them. The document is
        // kept on the request, so it is not parsed twice.
        let mut request = request;
        let survey = survey(request.parsed_query()?, MAX_FIELDS);
        if let Some(fragment) = survey.cycle {
            return Err(bad_input(format!(
                "The fragment \"{fragment}\" spreads itself, directly or through other fragments."
            )));
        }
        if survey.selections > MAX_FIELDS {
            return Err(bad_input(format!(
                "The query selects too many fields (over {MAX_FIELDS}, counting every alias, \
                 __typename and fragment spread). Ask for less, or page through it."
            )));
        }
        if survey.nul {
            return Err(nul_error());
        }
        next.run(ctx, request).await
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let Some(started) = ctx.data_opt::<ExecutionStarted>() {
            started.0.store(true, Ordering::SeqCst);
        }
        match tokio::time::timeout(self.timeout, next.run(ctx, operation_name)).await {
            Ok(response) => response,
            Err(_) => {
                tracing::warn!(
                    timeout_ms = self.timeout.as_millis() as u64,
                    "a GraphQL operation ran out of time and was stopped"
                );
                Response::from_errors(vec![with_code(
                    ServerError::new(
                        format!(
                            "The request took longer than {} seconds and was stopped.",
                            self.timeout.as_secs_f32()
                        ),
                        None,
                    ),
                    ErrorCode::Internal,
                )])
            }
        }
    }
}

fn with_code(mut error: ServerError, code: ErrorCode) -> ServerError {
    error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default)
        .set("code", code.as_str());
    error
}

fn bad_input(message: String) -> ServerError {
    with_code(ServerError::new(message, None), ErrorCode::BadUserInput)
}

fn nul_error() -> ServerError {
    bad_input("Text cannot contain the NUL character (U+0000).".into())
}

/// What one walk over a document found.
#[derive(Debug, PartialEq, Eq)]
struct Survey {
    /// Selections (fields, spreads, inline fragments) with fragments expanded, in the largest
    /// of the operations and fragment definitions; saturating just above the limit.
    selections: usize,
    /// A fragment that spreads itself, directly or through others.
    cycle: Option<String>,
    /// Whether any string argument contains U+0000.
    nul: bool,
}

/// Counts what every operation and every fragment selects with spreads expanded (each
/// fragment's count is worked out once), and looks for NUL in argument values on the way.
fn survey(document: &ExecutableDocument, limit: usize) -> Survey {
    let mut walk = Walk {
        document,
        cap: limit.saturating_add(1),
        memo: HashMap::new(),
        visiting: HashSet::new(),
        cycle: None,
        nul: false,
    };
    let mut selections = 0usize;
    for (_, operation) in document.operations.iter() {
        let operation = &operation.node;
        walk.nul |= operation
            .variable_definitions
            .iter()
            .filter_map(|v| v.node.default_value.as_ref())
            .any(|v| const_value_has_nul(&v.node));
        walk.nul |= directives_have_nul(&operation.directives);
        selections = selections.saturating_add(walk.selection_set(&operation.selection_set.node));
    }
    // Fragments no operation uses are walked by some validation rules all the same.
    for name in document.fragments.keys() {
        selections = selections.max(walk.fragment(name));
    }
    Survey {
        selections: selections.min(walk.cap),
        cycle: walk.cycle,
        nul: walk.nul,
    }
}

struct Walk<'a> {
    document: &'a ExecutableDocument,
    cap: usize,
    memo: HashMap<&'a Name, usize>,
    /// Fragments being counted right now, to recognise a cycle.
    visiting: HashSet<&'a Name>,
    cycle: Option<String>,
    nul: bool,
}

impl<'a> Walk<'a> {
    fn selection_set(&mut self, set: &'a SelectionSet) -> usize {
        let mut count = 0usize;
        for selection in &set.items {
            let inner = match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    self.nul |= field
                        .arguments
                        .iter()
                        .any(|(_, value)| value_has_nul(&value.node));
                    self.nul |= directives_have_nul(&field.directives);
                    self.selection_set(&field.selection_set.node)
                }
                Selection::FragmentSpread(spread) => {
                    self.nul |= directives_have_nul(&spread.node.directives);
                    self.fragment(&spread.node.fragment_name.node)
                }
                Selection::InlineFragment(inline) => {
                    self.nul |= directives_have_nul(&inline.node.directives);
                    self.selection_set(&inline.node.selection_set.node)
                }
            };
            count = count.saturating_add(1).saturating_add(inner);
            if count >= self.cap || self.cycle.is_some() {
                return self.cap;
            }
        }
        count
    }

    fn fragment(&mut self, name: &'a Name) -> usize {
        if let Some(count) = self.memo.get(name) {
            return *count;
        }
        let Some(fragment) = self.document.fragments.get(name) else {
            return 0; // unknown: validation reports it
        };
        if !self.visiting.insert(name) {
            self.cycle.get_or_insert_with(|| name.to_string());
            return self.cap;
        }
        self.nul |= directives_have_nul(&fragment.node.directives);
        let count = self.selection_set(&fragment.node.selection_set.node);
        self.visiting.remove(name);
        self.memo.insert(name, count);
        count
    }
}

fn directives_have_nul(directives: &[Positioned<Directive>]) -> bool {
    directives.iter().any(|directive| {
        directive
            .node
            .arguments
            .iter()
            .any(|(_, value)| value_has_nul(&value.node))
    })
}

fn value_has_nul(value: &async_graphql_value::Value) -> bool {
    use async_graphql_value::Value as Argument;
    match value {
        Argument::String(text) => text.contains('\0'),
        Argument::List(items) => items.iter().any(value_has_nul),
        Argument::Object(fields) => fields.values().any(value_has_nul),
        _ => false,
    }
}

fn const_value_has_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::List(items) => items.iter().any(const_value_has_nul),
        Value::Object(fields) => fields.values().any(const_value_has_nul),
        _ => false,
    }
}

fn variables_contain_nul(variables: &Variables) -> bool {
    variables
        .iter()
        .any(|(_, value)| const_value_has_nul(value))
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use async_graphql::{parser::parse_query, EmptyMutation, EmptySubscription, Object, Schema};

    use super::*;

    /// `N` fragments, each spreading the next one twice: 2^N leaves.
    pub fn fragment_bomb(levels: usize, leaf: &str) -> String {
        let mut query = String::from("{ me { ...F0 } }");
        for level in 0..levels {
            query.push_str(&format!(
                " fragment F{level} on User {{ ...F{next} ...F{next} }}",
                next = level + 1
            ));
        }
        query.push_str(&format!(" fragment F{levels} on User {{ {leaf} }}"));
        query
    }

    #[test]
    fn a_fragment_bomb_is_counted_in_linear_time() {
        let document = parse_query(fragment_bomb(60, "__typename")).unwrap();
        let started = Instant::now();
        let found = survey(&document, MAX_FIELDS);
        assert!(started.elapsed() < Duration::from_millis(50));
        assert_eq!(found.selections, MAX_FIELDS + 1);
        // Leaves that spread an unknown fragment still cost a step each.
        let unknown = parse_query(fragment_bomb(60, "...Missing")).unwrap();
        assert_eq!(survey(&unknown, MAX_FIELDS).selections, MAX_FIELDS + 1);
    }

    #[test]
    fn fields_aliases_typename_and_spreads_all_count() {
        let document = parse_query(
            "query { a: me { id __typename } b: me { ...F } } fragment F on User { id email }",
        )
        .unwrap();
        // a, id, __typename, b, the spread and F's two fields.
        assert_eq!(survey(&document, 100).selections, 7);
        let twice = parse_query(fragment_bomb(3, "id")).unwrap();
        // me, 1 + 2 + 4 + 8 spreads and 8 leaves.
        assert_eq!(survey(&twice, 100).selections, 24);
    }

    #[test]
    fn cycles_are_found_and_unknown_fragments_do_not_loop() {
        let document = parse_query(
            "{ me { ...A ...Missing } } fragment A on User { id ...B } fragment B on User { ...A ...A }",
        )
        .unwrap();
        let found = survey(&document, 100);
        assert!(found.cycle.is_some());
        let unused = parse_query("{ me { id } } fragment A on User { ...A }").unwrap();
        assert_eq!(survey(&unused, 100).cycle.as_deref(), Some("A"));
    }

    #[test]
    fn nul_is_found_in_arguments_directives_and_defaults() {
        for query in [
            "{ device(id: \"a\\u0000\") { id } }",
            "{ devices(search: \"x\") @include(if: true) { totalCount } me { ...F } } fragment F on User { apiTokens @skip(if: false) { id } id @deprecated(reason: \"\\u0000\") }",
            "query($s: String = \"\\u0000\") { devices(search: $s) { totalCount } }",
            "{ chats(deviceId: \"d\", search: \"ok\", filter: { names: [\"b\", \"\\u0000\"] }) { totalCount } }",
        ] {
            let document = parse_query(query).unwrap();
            assert!(survey(&document, 100).nul, "{query}");
        }
        let clean = parse_query("{ devices(search: \"naïve\") { totalCount } }").unwrap();
        assert!(!survey(&clean, 100).nul);
    }

    struct Slow;

    #[Object]
    impl Slow {
        async fn slow(&self) -> i32 {
            tokio::time::sleep(Duration::from_secs(5)).await;
            1
        }
        async fn quick(&self) -> i32 {
            2
        }
    }

    #[tokio::test]
    async fn an_operation_that_runs_too_long_is_stopped() {
        let schema = Schema::build(Slow, EmptyMutation, EmptySubscription)
            .extension(Limits {
                timeout: Duration::from_millis(100),
            })
            .finish();
        let started = Instant::now();
        let response = schema.execute("{ slow }").await;
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(response.errors.len(), 1);
        let code = response.errors[0]
            .extensions
            .as_ref()
            .and_then(|e| e.get("code").cloned());
        assert_eq!(code, Some(Value::from("INTERNAL")));
        let quick = schema.execute("{ quick }").await;
        assert!(quick.errors.is_empty());
    }

    #[tokio::test]
    async fn nul_in_variables_and_long_documents_are_refused_before_parsing() {
        let schema = Schema::build(Slow, EmptyMutation, EmptySubscription)
            .extension(Limits {
                timeout: Duration::from_secs(5),
            })
            .finish();
        let request = Request::new("query($s: String) { quick }")
            .variables(Variables::from_json(serde_json::json!({ "s": "a\u{0}" })));
        let response = schema.execute(request).await;
        assert!(response.errors[0].message.contains("NUL"));
        let long = format!("{{ quick {} }}", " ".repeat(MAX_QUERY_BYTES));
        let response = schema.execute(long).await;
        assert!(response.errors[0].message.contains("too long"));
    }
}
