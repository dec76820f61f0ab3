//! Connections through the API: create, read (never a secret), change, check, remove; roles,
//! validation and tenant isolation.

mod common;

use common::{error_code, spawn_app, TEST_APP_SECRET};
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{json, Value};
use server::db::entities::connections;

fn cloud(phone_number_id: &str) -> Value {
    json!({
        "kind": "whatsapp_cloud", "name": "Sales", "phone_number_id": phone_number_id,
        "waba_id": "102290129340398", "access_token": "EAAG-secret-token",
        "app_secret": TEST_APP_SECRET, "verify_token": "my-verify-token",
    })
}

#[tokio::test]
async fn a_connection_is_created_listed_and_never_shows_its_secrets() {
    let app = spawn_app().await;
    let owner = app.verified_user("Acme").await;
    let response = owner.session.post("/api/v1/connections", cloud("1234567890")).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["kind"], "whatsapp_cloud");
    assert_eq!(created["status"], "pending");
    assert_eq!(created["phone_number_id"], "1234567890");
    let url = created["webhook_url"].as_str().unwrap();
    assert!(url.starts_with(&app.address) && url.contains("/api/webhooks/meta/"), "{url}");
    let slug = url.rsplit('/').next().unwrap();
    assert!(slug.len() >= 40, "the slug is unguessable: {slug}");

    let id = created["id"].as_str().unwrap();
    let listed = owner.session.get("/api/v1/connections").await.text().await.unwrap();
    let one = owner.session.get(&format!("/api/v1/connections/{id}")).await.text().await.unwrap();
    for text in [&listed, &one, &created.to_string()] {
        for secret in ["EAAG-secret-token", TEST_APP_SECRET, "my-verify-token"] {
            assert!(!text.contains(secret), "{secret} leaked in {text}");
        }
    }
    // Sealed at rest too.
    let row = connections::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert!(!row.secrets.contains("EAAG-secret-token"));
    assert!(!row.settings.to_string().contains("EAAG"));
}

#[tokio::test]
async fn bad_input_gets_a_reason_per_field() {
    let app = spawn_app().await;
    let owner = app.verified_user("Acme").await;
    for (field, value) in [
        ("phone_number_id", json!("12-34")),
        ("waba_id", json!("")),
        ("name", json!("  ")),
        ("access_token", json!("two words")),
        ("app_secret", json!("")),
    ] {
        let mut body = cloud("1234567890");
        body[field] = value;
        let response = owner.session.post("/api/v1/connections", body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{field}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["field"], field);
    }
    let unknown_kind =
        owner.session.post("/api/v1/connections", json!({"kind": "telegram", "name": "x"})).await;
    assert_eq!(unknown_kind.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(unknown_kind).await, "invalid_json");

    assert_eq!(
        owner.session.post("/api/v1/connections", cloud("555")).await.status(),
        StatusCode::CREATED
    );
    let again = owner.session.post("/api/v1/connections", cloud("555")).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(again).await, "conflict");
}

#[tokio::test]
async fn only_owners_and_admins_change_connections_and_other_companies_see_nothing() {
    let app = spawn_app().await;
    let owner = app.verified_user("Acme").await;
    let agent = app.add_member(&owner, "agent").await;
    let stranger = app.verified_user("Other").await;
    let created: Value =
        owner.session.post("/api/v1/connections", cloud("777")).await.json().await.unwrap();
    let id = created["id"].as_str().unwrap();
    let path = format!("/api/v1/connections/{id}");

    assert_eq!(
        agent.session.post("/api/v1/connections", cloud("778")).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        agent.session.patch(&path, json!({"name": "x"})).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(agent.session.delete(&path).await.status(), StatusCode::FORBIDDEN);
    // Agents can see which connections exist (the inbox filters by them).
    assert_eq!(agent.session.get(&path).await.status(), StatusCode::OK);

    for response in [
        stranger.session.get(&path).await,
        stranger.session.patch(&path, json!({"name": "mine"})).await,
        stranger.session.delete(&path).await,
        stranger.session.post(&format!("{path}/test"), json!({})).await,
    ] {
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
    let theirs: Value = stranger.session.get("/api/v1/connections").await.json().await.unwrap();
    assert_eq!(theirs.as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn editing_keeps_secrets_left_empty_and_deleting_closes_the_webhook() {
    let app = spawn_app().await;
    let owner = app.verified_user("Acme").await;
    let connection = app.cloud_connection(&owner, "888").await;
    let path = format!("/api/v1/connections/{}", connection.id);
    let renamed = owner
        .session
        .patch(&path, json!({"name": "Support", "access_token": "", "app_secret": null}))
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let renamed: Value = renamed.json().await.unwrap();
    assert_eq!(renamed["name"], "Support");
    // The app secret still signs: the webhook accepts a delivery signed with it.
    let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
    assert_eq!(app.post_webhook(&connection, body).await.status(), StatusCode::OK);

    assert_eq!(owner.session.delete(&path).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(owner.session.get(&path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.post_webhook(&connection, body).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_check_against_an_unreachable_graph_api_says_so_in_plain_words() {
    let (mut config, data_dir) = common::test_config().await;
    // Nothing listens on port 9 (discard) on these machines.
    config.graph_api_base = "http://127.0.0.1:9/v23.0".into();
    config.provider_timeout_seconds = 5;
    let app = common::spawn_with(config, data_dir).await;
    let owner = app.verified_user("Acme").await;
    let connection = app.cloud_connection(&owner, "999").await;
    let response =
        owner.session.post(&format!("/api/v1/connections/{}/test", connection.id), json!({})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let result: Value = response.json().await.unwrap();
    assert_eq!(result["ok"], false);
    assert!(result["error"].as_str().unwrap().contains("could not be reached"), "{result}");
    assert_eq!(result["connection"]["status"], "error");
    assert!(result["connection"]["last_checked_at"].is_string());
}
