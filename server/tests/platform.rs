//! The cross-cutting contract: error shape for bad input, 404/405, health, metrics, OpenAPI,
//! server-rendered pages, and the live WebSocket.

mod common;

use std::time::Duration;

use common::{error_code, spawn_app};
use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};

#[tokio::test]
async fn malformed_json_gets_our_error_shape() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let syntax = client
        .post(app.url("/api/v1/auth/signup"))
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(syntax.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(syntax).await, "invalid_json");

    let shape =
        client.post(app.url("/api/v1/auth/login")).json(&json!({"email": 5})).send().await.unwrap();
    assert_eq!(shape.status(), StatusCode::BAD_REQUEST);
    let body: Value = shape.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_json");
    assert!(body["error"]["message"].as_str().unwrap().contains("email"), "{body}");

    let no_type = client.post(app.url("/api/v1/auth/login")).body("{}").send().await.unwrap();
    assert_eq!(no_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(error_code(no_type).await, "unsupported_media_type");

    let huge = client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(format!("{{\"email\": \"{}\"}}", "a".repeat(2 * 1024 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(huge).await, "payload_too_large");
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_in_our_shape() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let missing = client.get(app.url("/api/v1/nope")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(missing).await, "not_found");
    let method = client.put(app.url("/api/v1/auth/login")).send().await.unwrap();
    assert_eq!(method.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error_code(method).await, "method_not_allowed");
    let bad_id =
        app.verified_user("Acme").await.session.delete("/api/v1/api-keys/not-a-uuid").await;
    assert_eq!(bad_id.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    assert_eq!(client.get(app.url("/healthz")).send().await.unwrap().status(), StatusCode::OK);
    let ready: Value = client.get(app.url("/readyz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready["status"], "ready");
    let metrics = client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    let text = metrics.text().await.unwrap();
    assert!(text.contains("master_ia_http_requests_total"), "{text}");
}

#[tokio::test]
async fn openapi_document_describes_the_public_paths() {
    let app = spawn_app().await;
    let doc: Value =
        reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/auth/signup",
        "/api/v1/auth/verify-email",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/me",
        "/api/v1/api-keys",
        "/api/v1/api-keys/{id}",
        "/api/v1/invitations",
        "/api/v1/members",
        "/api/v1/company",
        "/api/v1/ws",
        "/api/v1/campaigns",
        "/api/v1/campaigns/preview",
        "/api/v1/campaigns/{id}",
        "/api/v1/campaigns/{id}/start",
        "/api/v1/campaigns/{id}/pause",
        "/api/v1/campaigns/{id}/resume",
        "/api/v1/campaigns/{id}/cancel",
        "/api/v1/campaigns/{id}/recipients",
        "/api/v1/campaigns/{id}/recipients/export",
        "/api/v1/campaigns/{id}/report",
        "/api/v1/personas",
        "/api/v1/personas/{id}",
        "/api/v1/personas/{id}/chat",
        "/api/v1/conversations/{id}/assist/reply",
        "/api/v1/conversations/{id}/assist/summary",
        "/api/v1/knowledge-bases",
        "/api/v1/knowledge-bases/{id}",
        "/api/v1/knowledge-bases/{id}/documents",
        "/api/v1/knowledge-bases/{id}/documents/{document_id}",
        "/api/v1/knowledge-bases/{id}/documents/{document_id}/reindex",
        "/api/v1/knowledge-bases/{id}/search",
        "/api/v1/automation-rules",
        "/api/v1/automation-rules/{id}",
        "/api/v1/automation-rules/{id}/runs",
        "/api/v1/automation-rules/webhook-secret",
        "/api/v1/company/business-hours",
        "/api/v1/contacts",
        "/api/v1/contacts/{id}",
        "/api/v1/contacts/{id}/erase",
        "/api/v1/contacts/import",
        "/api/v1/contacts/imports",
        "/api/v1/contacts/export",
        "/api/v1/contacts/count",
        "/api/v1/contacts/bulk",
        "/api/v1/contact-fields",
        "/api/v1/contact-fields/{id}",
        "/api/v1/contact-tags",
        "/api/v1/contact-tags/{tag}",
        "/api/v1/segments",
        "/api/v1/segments/preview",
        "/api/v1/segments/{id}",
        "/api/v1/connections",
        "/api/v1/connections/{id}",
        "/api/v1/connections/{id}/test",
        "/api/v1/connections/{id}/templates",
        "/api/v1/connections/{id}/templates/sync",
        "/api/v1/conversations",
        "/api/v1/conversations/{id}",
        "/api/v1/conversations/{id}/messages",
        "/api/v1/conversations/{id}/messages/{message_id}/retry",
        "/api/v1/conversations/{id}/media",
        "/api/v1/conversations/{id}/read",
        "/api/v1/conversations/{id}/claim",
        "/api/v1/conversations/{id}/typing",
        "/api/v1/conversations/{id}/notes",
        "/api/v1/canned-replies",
        "/api/v1/canned-replies/{id}",
        "/api/v1/messages/{id}/media",
    ] {
        assert!(doc["paths"][path].is_object(), "missing {path}");
    }
    assert!(doc["paths"]["/api/v1/conversations/{id}"]["patch"].is_object());
    assert!(doc["components"]["schemas"]["ApiErrorBody"].is_object());
    assert!(doc["components"]["securitySchemes"]["api_key"].is_object());
}

#[tokio::test]
async fn pages_are_server_rendered_in_the_negotiated_language() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let login = client.get(app.url("/login")).send().await.unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let html = login.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\""), "{html}");
    assert!(html.contains("/pkg/master-ia.js"), "hydration script: {html}");

    let pt = client
        .get(app.url("/login"))
        .header("accept-language", "pt-BR,pt;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(pt.text().await.unwrap().contains("<html lang=\"pt-BR\""));
    let cookie = client
        .get(app.url("/login"))
        .header("accept-language", "pt-BR")
        .header("cookie", "lang=en")
        .send()
        .await
        .unwrap();
    assert!(
        cookie.text().await.unwrap().contains("<html lang=\"en\""),
        "the cookie wins over the header"
    );

    let missing = client.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
}

async fn next_json<S>(stream: &mut S) -> Value
where
    S: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .expect("a frame within 5 s")
            .expect("socket open")
            .expect("frame ok");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

#[tokio::test]
async fn websocket_delivers_company_events_only() {
    let app = spawn_app().await;
    let acme = app.verified_user("Acme").await;
    let globex = app.verified_user("Globex").await;
    let key: Value =
        acme.session.post("/api/v1/api-keys", json!({"name": "ws"})).await.json().await.unwrap();
    let key = key["key"].as_str().unwrap();
    let ws_base = app.address.replace("http://", "ws://");

    let (mut acme_ws, _) =
        tokio_tungstenite::connect_async(format!("{ws_base}/api/v1/ws?token={key}")).await.unwrap();
    let ready = next_json(&mut acme_ws).await;
    assert_eq!(ready["type"], "ready");
    assert_eq!(ready["data"]["company_id"], acme.company_id.to_string());

    // A browser-style connection with the session cookie.
    let cookie_header = {
        let response = reqwest::Client::new()
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": globex.email, "password": common::PASSWORD}))
            .send()
            .await
            .unwrap();
        response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned()
    };
    let mut request = format!("{ws_base}/api/v1/ws").into_client_request().unwrap();
    request.headers_mut().insert("cookie", cookie_header.parse().unwrap());
    let (mut globex_ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(next_json(&mut globex_ws).await["type"], "ready");

    // Ping/pong at the application level.
    acme_ws.send(Message::Text(r#"{"type":"ping"}"#.into())).await.unwrap();
    assert_eq!(next_json(&mut acme_ws).await["type"], "pong");

    let invite = acme
        .session
        .post("/api/v1/invitations", json!({"email": "w@example.com", "role": "agent"}))
        .await;
    assert_eq!(invite.status(), StatusCode::CREATED);
    let event = next_json(&mut acme_ws).await;
    assert_eq!(event["type"], "team.changed");
    assert_eq!(event["data"]["by_user_id"], acme.user_id.to_string());
    // Globex hears nothing of it.
    let quiet = tokio::time::timeout(Duration::from_millis(300), globex_ws.next()).await;
    assert!(quiet.is_err(), "globex got {quiet:?}");
}

#[tokio::test]
async fn websocket_refuses_anonymous_and_cross_site_connections() {
    let app = spawn_app().await;
    let ws_base = app.address.replace("http://", "ws://");
    let anonymous = tokio_tungstenite::connect_async(format!("{ws_base}/api/v1/ws")).await;
    match anonymous {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 401)
        }
        other => panic!("expected 401, got {other:?}"),
    }
    let bad_key =
        tokio_tungstenite::connect_async(format!("{ws_base}/api/v1/ws?token=mia_nope")).await;
    assert!(
        matches!(bad_key, Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == 401)
    );

    let user = app.verified_user("Acme").await;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": user.email, "password": common::PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie =
        response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let mut request = format!("{ws_base}/api/v1/ws").into_client_request().unwrap();
    request.headers_mut().insert("cookie", cookie.parse().unwrap());
    request.headers_mut().insert("origin", "https://evil.example".parse().unwrap());
    let hijack = tokio_tungstenite::connect_async(request).await;
    assert!(
        matches!(hijack, Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == 403)
    );
}

#[tokio::test]
async fn site_files_are_served_precompressed() {
    let (config, dir) = common::test_config().await;
    let pkg = config.site_root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("master-ia.js"), "console.log('plain')").unwrap();
    // The content is not checked by the server: it must pick the `.gz` sibling by name.
    std::fs::write(pkg.join("master-ia.js.gz"), b"pretend-gzip-bytes").unwrap();
    let app = common::spawn_with(config, dir).await;
    let client = reqwest::Client::builder().no_gzip().build().unwrap();
    let compressed = client
        .get(app.url("/pkg/master-ia.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.status(), StatusCode::OK);
    assert_eq!(compressed.headers()["content-encoding"], "gzip");
    assert_eq!(compressed.bytes().await.unwrap().as_ref(), b"pretend-gzip-bytes");
    let plain = client.get(app.url("/pkg/master-ia.js")).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.text().await.unwrap(), "console.log('plain')");
}

#[tokio::test]
async fn a_reconnecting_client_catches_up_on_exactly_what_it_missed() {
    let app = spawn_app().await;
    let acme = app.verified_user("Acme").await;
    let key: Value =
        acme.session.post("/api/v1/api-keys", json!({"name": "ws"})).await.json().await.unwrap();
    let key = key["key"].as_str().unwrap().to_owned();
    let ws_base = app.address.replace("http://", "ws://");
    let connect = |since: Option<String>| {
        let url = match since {
            Some(cursor) => format!("{ws_base}/api/v1/ws?token={key}&since={cursor}"),
            None => format!("{ws_base}/api/v1/ws?token={key}"),
        };
        async move { tokio_tungstenite::connect_async(url).await.unwrap().0 }
    };
    let invite = |n: u32| {
        let session = &acme.session;
        async move {
            let answer = session
                .post(
                    "/api/v1/invitations",
                    json!({"email": format!("w{n}@example.com"), "role": "agent"}),
                )
                .await;
            assert_eq!(answer.status(), StatusCode::CREATED);
        }
    };

    // Two tabs of the same company both hear a change.
    let mut first = connect(None).await;
    let mut second = connect(None).await;
    let ready = next_json(&mut first).await;
    assert_eq!(
        (ready["type"].as_str(), ready["data"]["resumed"].as_bool()),
        (Some("ready"), Some(false))
    );
    next_json(&mut second).await;
    invite(1).await;
    let seen = next_json(&mut first).await;
    assert_eq!(seen["type"], "team.changed");
    assert_eq!(next_json(&mut second).await["cursor"], seen["cursor"]);
    let cursor = seen["cursor"].as_str().unwrap().to_owned();

    // The first tab loses its connection; two changes happen meanwhile.
    first.close(None).await.unwrap();
    invite(2).await;
    invite(3).await;
    let mut back = connect(Some(cursor.clone())).await;
    let ready = next_json(&mut back).await;
    assert_eq!(ready["data"]["resumed"], true, "{ready}");
    let missed = [next_json(&mut back).await, next_json(&mut back).await];
    assert!(missed.iter().all(|e| e["type"] == "team.changed"));
    assert_ne!(missed[0]["cursor"], missed[1]["cursor"]);
    assert_ne!(missed[0]["cursor"].as_str(), Some(cursor.as_str()));
    // ...and then live events, nothing replayed twice.
    invite(4).await;
    let live = next_json(&mut back).await;
    assert_eq!(live["type"], "team.changed");
    assert_eq!(next_json(&mut second).await["type"], "team.changed");

    // A cursor this server never gave (another process, a restart): refetch everything.
    let mut stranger = connect(Some("abc-1".into())).await;
    assert_eq!(next_json(&mut stranger).await["data"]["resumed"], false);
}
