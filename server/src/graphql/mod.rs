//! The GraphQL API: one module per area, merged into one schema. Resolvers are thin: they turn
//! inputs into domain types, call one domain function and map the result to a GraphQL type.
//!
//! In sim mode the schema has the simulated network's controls on top; `schema.graphql` (and
//! `print-schema`) is the live schema without them.

pub mod accounts;
pub mod campaigns;
pub mod devices;
pub mod inbox;
pub mod leads;
pub mod limits;
pub mod loaders;
pub mod outbox;
pub mod sequences;
pub mod sim;

use std::{net::IpAddr, sync::Arc};

use async_graphql::{
    dataloader::DataLoader,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute},
    futures_util::stream::BoxStream,
    Context, Data, Executor, MergedObject, MergedSubscription, ObjectType, Request, Response,
    Schema, SchemaBuilder, SubscriptionType,
};

use crate::{
    auth::{AuthState, Viewer},
    error::{AppError, AppResult, ErrorCode},
    events::{Event, Lagged},
    state::AppState,
    types::ids::UserId,
};

/// What a client can read.
#[derive(MergedObject, Default)]
pub struct Query(
    accounts::AccountQuery,
    devices::DeviceQuery,
    outbox::OutboxQuery,
    inbox::InboxQuery,
    leads::LeadQuery,
    campaigns::CampaignQuery,
    sequences::SequenceQuery,
);

/// What a client can change.
#[derive(MergedObject, Default)]
pub struct Mutation(
    accounts::AccountMutation,
    devices::DeviceMutation,
    outbox::OutboxMutation,
    inbox::InboxMutation,
    leads::LeadMutation,
    campaigns::CampaignMutation,
    sequences::SequenceMutation,
);

/// What a client can follow live (graphql-ws at `/graphql/ws`).
#[derive(MergedSubscription, Default)]
pub struct Subscription(
    accounts::AccountSubscription,
    devices::DeviceSubscription,
    outbox::OutboxSubscription,
    inbox::InboxSubscription,
    leads::LeadSubscription,
    campaigns::CampaignSubscription,
    sequences::SequenceSubscription,
);

#[derive(MergedObject, Default)]
pub struct SimQuery(Query, sim::SimNetworkQuery);

#[derive(MergedObject, Default)]
pub struct SimMutation(Mutation, sim::SimNetworkMutation);

/// What resolvers return: `?` on an `AppError` converts it with its code.
pub type GqlResult<T> = async_graphql::Result<T>;

pub type LiveSchema = Schema<Query, Mutation, Subscription>;
pub type SimSchema = Schema<SimQuery, SimMutation, Subscription>;

/// The schema the server runs: live, or live plus the simulated network's controls.
#[derive(Clone)]
pub enum AppSchema {
    Live(LiveSchema),
    Sim(SimSchema),
}

impl Executor for AppSchema {
    async fn execute(&self, request: Request) -> Response {
        match self {
            AppSchema::Live(schema) => schema.execute(request).await,
            AppSchema::Sim(schema) => schema.execute(request).await,
        }
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        match self {
            AppSchema::Live(schema) => Executor::execute_stream(schema, request, session_data),
            AppSchema::Sim(schema) => Executor::execute_stream(schema, request, session_data),
        }
    }
}

/// Nesting deeper than this is refused before execution (introspection needs about 13).
pub const MAX_DEPTH: usize = 16;
/// Total field cost of one operation (`limits` also counts `__typename` against it).
pub const MAX_COMPLEXITY: usize = 2_000;

fn configure<Q, M, S>(builder: SchemaBuilder<Q, M, S>) -> SchemaBuilder<Q, M, S>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    builder
        .register_output_type::<ErrorCode>()
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .extension(OperationSpan)
}

/// Runs each operation inside a span named after it, so every log line of the request (an
/// INTERNAL error above all) says which operation it came from. One span per operation, not per
/// field: a list of 200 rows costs nothing extra.
struct OperationSpan;

impl ExtensionFactory for OperationSpan {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(OperationSpan)
    }
}

#[async_trait::async_trait]
impl Extension for OperationSpan {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        use tracing::Instrument;
        // The client names the operation: keep the log line short whatever it sent.
        let operation: String = operation_name
            .unwrap_or("(anonymous)")
            .chars()
            .take(80)
            .collect();
        let span = tracing::info_span!("graphql", operation = %operation);
        next.run(ctx, operation_name).instrument(span).await
    }
}

pub fn build_schema(state: AppState, sim: bool) -> AppSchema {
    let limits = limits::Limits {
        timeout: state.config.request_timeout,
    };
    // No cache: the loader only batches the loads of one moment, so it can serve every request.
    let devices = DataLoader::new(
        loaders::DeviceLoader {
            db: state.db.clone(),
        },
        tokio::spawn,
    );
    let counts = DataLoader::new(
        loaders::DeviceCountsLoader {
            db: state.db.clone(),
        },
        tokio::spawn,
    );
    let unread = DataLoader::new(
        loaders::UnreadChatsLoader {
            db: state.db.clone(),
            window_days: state.config.inbox_days,
        },
        tokio::spawn,
    );
    if sim {
        AppSchema::Sim(
            configure(Schema::build(
                SimQuery::default(),
                SimMutation::default(),
                Subscription::default(),
            ))
            .extension(limits)
            .data(state)
            .data(devices)
            .data(counts)
            .data(unread)
            .finish(),
        )
    } else {
        AppSchema::Live(
            configure(Schema::build(
                Query::default(),
                Mutation::default(),
                Subscription::default(),
            ))
            .extension(limits)
            .data(state)
            .data(devices)
            .data(counts)
            .data(unread)
            .finish(),
        )
    }
}

/// The SDL as committed in `schema.graphql` (the live schema).
pub fn sdl() -> String {
    configure(Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    ))
    .finish()
    .sdl_with_options(async_graphql::SDLExportOptions::new().sorted_fields())
}

/// The events of the signed-in user that `pick` turns into items of a subscription. When the
/// subscriber falls too far behind, the stream ends with an error the client sees (it
/// resubscribes and reloads), never with a silent gap.
pub(crate) fn user_events<T, F>(
    ctx: &Context<'_>,
    owner: UserId,
    mut pick: F,
) -> BoxStream<'static, GqlResult<T>>
where
    T: Send + 'static,
    F: FnMut(&Event) -> Vec<T> + Send + 'static,
{
    use futures::StreamExt;
    // Boxed: the stream's type then names no closure of the resolver that built it.
    state(ctx)
        .events
        .for_user(owner)
        .flat_map(move |item| {
            let items: Vec<GqlResult<T>> = match item {
                Ok(event) => pick(&event).into_iter().map(Ok).collect(),
                Err(Lagged(missed)) => vec![Err(AppError::FellBehind(missed).into())],
            };
            futures::stream::iter(items)
        })
        .boxed()
}

/// The client's IP address, for login throttling.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

pub(crate) fn state<'a>(ctx: &Context<'a>) -> &'a AppState {
    ctx.data_unchecked::<AppState>()
}

/// The guard: the authenticated caller, or `UNAUTHENTICATED`.
pub(crate) fn viewer(ctx: &Context<'_>) -> AppResult<Viewer> {
    ctx.data_opt::<AuthState>()
        .unwrap_or(&AuthState::Anonymous)
        .viewer()
}
