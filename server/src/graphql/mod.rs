//! The GraphQL API: one module per area, merged into one schema. Resolvers are thin: they turn
//! inputs into domain types, call one domain function and map the result to a GraphQL type.
//!
//! In sim mode the schema has the simulated network's controls on top; `schema.graphql` (and
//! `print-schema`) is the live schema without them.

pub mod accounts;
pub mod devices;
pub mod inbox;
pub mod limits;
pub mod loaders;
pub mod outbox;
pub mod sim;

use std::{net::IpAddr, sync::Arc};

use async_graphql::{
    dataloader::DataLoader, futures_util::stream::BoxStream, Context, Data, Executor, MergedObject,
    MergedSubscription, ObjectType, Request, Response, Schema, SchemaBuilder, SubscriptionType,
};

use crate::{
    auth::{AuthState, Viewer},
    error::{AppResult, ErrorCode},
    state::AppState,
};

#[derive(MergedObject, Default)]
pub struct Query(
    accounts::AccountQuery,
    devices::DeviceQuery,
    outbox::OutboxQuery,
    inbox::InboxQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    accounts::AccountMutation,
    devices::DeviceMutation,
    outbox::OutboxMutation,
    inbox::InboxMutation,
);

#[derive(MergedSubscription, Default)]
pub struct Subscription(
    accounts::AccountSubscription,
    devices::DeviceSubscription,
    outbox::OutboxSubscription,
    inbox::InboxSubscription,
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
