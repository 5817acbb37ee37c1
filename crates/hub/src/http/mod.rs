//! The HTTP side (`/api/v1`, `/health`, `/metrics`): axum routes registered only through
//! utoipa-axum's `OpenApiRouter`, so every served route is in the OpenAPI document at
//! `/api/v1/openapi.json` by construction (and a test checks the converse).
//!
//! Files: [`session`] (login, refresh), [`caller`] (who is calling: user token or service API
//! key), [`ops`] (health, metrics, the document), [`notes`] (reads and ingestion of `/`
//! records), [`admin`], [`contests`] (creating and listing a team's contests).

pub mod admin;
pub mod analysis;
pub mod caller;
pub mod contests;
pub mod gamification;
pub mod notes;
pub mod ops;
pub mod session;

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::HubState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Sideline hub API", description = "HTTP API of the Sideline hub. Errors are JSON `{code, message}`."),
    components(schemas(ApiError)),
    modifiers(&BearerAuth),
)]
struct ApiDoc;

struct BearerAuth;

/// Every error answer: `{code, message, field?}` (the protocol's `ErrorPayload`).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ApiError {
    /// Machine-readable code (`UNAUTHORIZED`, `VALIDATION_FAILED`, ...).
    pub code: String,
    /// For humans.
    pub message: String,
    /// The field at fault, if any.
    pub field: Option<String>,
}

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT or sk_ API key")
                    .build(),
            ),
        );
    }
}

/// Refuses an instant the hub could not store and read back: its database keeps RFC 3339 text
/// in UTC, which has four-digit years (an instant late on 9999-12-31 with a negative offset is
/// in the year 10000 in UTC).
pub(crate) fn check_storable_instant(
    field: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> crate::error::Result<()> {
    if (1..=9999).contains(&chrono::Datelike::year(&at)) {
        Ok(())
    } else {
        Err(crate::error::HubError::invalid(
            field,
            "must fall in the years 0001 to 9999 in UTC",
        ))
    }
}

/// The router and its OpenAPI document.
pub fn router(hub: Arc<HubState>) -> (Router<Arc<HubState>>, utoipa::openapi::OpenApi) {
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(ops::health))
        .routes(routes!(ops::metrics))
        .routes(routes!(ops::openapi_json))
        .routes(routes!(session::login))
        .routes(routes!(session::refresh))
        .routes(routes!(notes::list_notes))
        .routes(routes!(notes::list_action_items))
        .routes(routes!(notes::list_notifications, notes::send_notification))
        .routes(routes!(notes::create_comment))
        .routes(routes!(admin::list_users, admin::create_user))
        .routes(routes!(admin::list_teams, admin::create_team))
        .routes(routes!(admin::create_display_token))
        .routes(routes!(admin::create_api_key))
        .routes(routes!(contests::list_contests, contests::create_contest))
        .routes(routes!(analysis::start))
        .routes(routes!(analysis::get))
        .routes(routes!(analysis::progress))
        .routes(routes!(analysis::complete))
        .routes(routes!(analysis::error))
        .routes(routes!(analysis::cancelled))
        .routes(routes!(gamification::record_sale))
        .routes(routes!(gamification::get_leaderboard))
        .routes(routes!(gamification::award_xp))
        .routes(routes!(gamification::complete_quiz))
        .routes(routes!(gamification::pending_roleplay))
        .routes(routes!(gamification::respond_roleplay))
        .split_for_parts();
    let router = router.layer(axum::middleware::from_fn_with_state(hub, record_latency));
    (router, api)
}

/// Records the latency of every request by its route template.
async fn record_latency(
    State(hub): State<Arc<HubState>>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    hub.metrics
        .http_request(&route, started.elapsed().as_secs_f64());
    response
}
