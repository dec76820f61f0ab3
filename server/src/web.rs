//! The server side of the UI: server-rendered Leptos pages (hydrated by the WASM bundle) and the
//! static site files (`pkg/`: WASM, JS, CSS), served pre-compressed when a `.gz`/`.br` exists.

use axum::{
    body::Body,
    extract::{Request, State},
    http::header,
    response::{IntoResponse, Response},
    Router,
};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower::ServiceExt;
use tower_http::{services::ServeDir, set_header::SetResponseHeaderLayer};

use crate::{api, state::AppState};

pub fn router(state: &AppState) -> Router<AppState> {
    let routes = generate_route_list(app::App);
    let pkg_dir = state.config.site_root.join("pkg");
    let pkg = ServeDir::new(pkg_dir).precompressed_gzip().precompressed_br();
    Router::new()
        .leptos_routes_with_context(state, routes, || provide_context(()), {
            let options = state.leptos_options.clone();
            move || app::shell(options.clone())
        })
        .nest_service(
            "/pkg",
            tower::ServiceBuilder::new()
                // File names are fixed (no content hash), so browsers must revalidate.
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    header::HeaderValue::from_static("no-cache"),
                ))
                .service(pkg),
        )
        .fallback(fallback)
}

/// Unknown `/api/...` paths get our JSON 404; anything else is a static file from the site root
/// or the app's own "page not found" page.
async fn fallback(State(state): State<AppState>, request: Request<Body>) -> Response {
    if request.uri().path().starts_with("/api/") {
        return api::not_found().await;
    }
    let uri = request.uri().clone();
    let files = ServeDir::new(&state.config.site_root);
    match files.oneshot(request).await {
        Ok(response) if response.status().is_success() || response.status().is_redirection() => {
            response.into_response()
        }
        _ => render_not_found(&state, uri).await,
    }
}

/// Renders the app at the unknown URL: its router shows the translated "page not found" view.
async fn render_not_found(state: &AppState, uri: axum::http::Uri) -> Response {
    let options = state.leptos_options.clone();
    let handler =
        leptos_axum::render_app_to_stream_with_context(|| {}, move || app::shell(options.clone()));
    let request = Request::builder().uri(uri).body(Body::empty()).unwrap_or_default();
    let mut response = handler(request).await.into_response();
    *response.status_mut() = axum::http::StatusCode::NOT_FOUND;
    response
}
