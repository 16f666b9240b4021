//! The GraphQL API: one module per area, merged into one schema. Resolvers are thin: they turn
//! inputs into domain types, call one domain function and map the result to a GraphQL type.

pub mod accounts;

use std::net::IpAddr;

use async_graphql::{Context, MergedObject, MergedSubscription, Schema, SchemaBuilder};

use crate::{
    auth::{AuthState, Viewer},
    error::{AppResult, ErrorCode},
    state::AppState,
};

#[derive(MergedObject, Default)]
pub struct Query(accounts::AccountQuery);

#[derive(MergedObject, Default)]
pub struct Mutation(accounts::AccountMutation);

#[derive(MergedSubscription, Default)]
pub struct Subscription(accounts::AccountSubscription);

/// What resolvers return: `?` on an `AppError` converts it with its code.
pub type GqlResult<T> = async_graphql::Result<T>;

pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// Nesting deeper than this is refused before execution (introspection needs about 13).
pub const MAX_DEPTH: usize = 16;
/// Total field cost of one operation.
pub const MAX_COMPLEXITY: usize = 2_000;

/// The schema without runtime data (for `print-schema`); `build_schema` adds the app state.
pub fn schema_builder() -> SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .register_output_type::<ErrorCode>()
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
}

pub fn build_schema(state: AppState) -> AppSchema {
    schema_builder().data(state).finish()
}

/// The SDL as committed in `schema.graphql`.
pub fn sdl() -> String {
    schema_builder()
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
