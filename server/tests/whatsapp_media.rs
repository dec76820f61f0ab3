//! Media: a customer's photo is fetched from Meta into the media store and served to the
//! company only; a file uploaded for a reply goes to Meta and shows in the thread.

mod common;

use common::{TestApp, TestUser};
use fakes::graph::{FakeGraph, FakeGraphConfig, PhoneNumber};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PHONE_NUMBER_ID: &str = "106540352242922";

async fn world() -> (TestApp, FakeGraph, TestUser) {
    let fake = FakeGraph::start(FakeGraphConfig::default()).await.unwrap();
    fake.add_phone_number(PhoneNumber::new(PHONE_NUMBER_ID, "EAAG-test-token"));
    let (mut config, data_dir) = common::test_config().await;
    config.graph_api_base = fake.base_url();
    let app = common::spawn_with(config, data_dir).await;
    let user = app.verified_user("Acme").await;
    let connection = app.cloud_connection(&user, PHONE_NUMBER_ID).await;
    fake.set_webhook(app.url(&connection.webhook_path), connection.app_secret.clone());
    (app, fake, user)
}

async fn thread(user: &TestUser) -> (String, Vec<Value>) {
    let list: Value = user.session.get("/api/v1/conversations").await.json().await.unwrap();
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    let page: Value = user
        .session
        .get(&format!("/api/v1/conversations/{id}/messages"))
        .await
        .json()
        .await
        .unwrap();
    (id, page["items"].as_array().unwrap().clone())
}

#[tokio::test]
async fn a_customers_photo_is_fetched_stored_and_served_to_the_company_only() {
    let (app, fake, user) = world().await;
    let photo = b"\xFF\xD8\xFF\xE0 pretend this is a JPEG".to_vec();
    let media_id = fake.add_media(photo.clone(), "image/jpeg");
    fake.emit_inbound(
        Some(PHONE_NUMBER_ID),
        "5511987654321",
        "Ana",
        json!({"type": "image", "image": {"id": media_id, "mime_type": "image/jpeg", "sha256": "x", "caption": "Olha"}}),
    )
    .await
    .unwrap();
    app.drain_jobs().await; // the webhook, then the fetch it enqueued
    app.drain_jobs().await;
    let (_, messages) = thread(&user).await;
    let image = &messages[0];
    assert_eq!(image["kind"], "image");
    assert_eq!(image["text"], "Olha");
    let url = image["media_url"].as_str().expect("stored media has a URL");

    let response = user.session.get(url).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    assert!(response.headers()["content-security-policy"].to_str().unwrap().contains("sandbox"));
    assert_eq!(response.bytes().await.unwrap().to_vec(), photo);

    let stranger = app.verified_user("Other").await;
    assert_eq!(stranger.session.get(url).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.session().get(url).await.status(), StatusCode::UNAUTHORIZED);
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
}

#[tokio::test]
async fn media_gone_at_meta_is_reported_on_the_message() {
    let (app, fake, user) = world().await;
    fake.emit_inbound(
        Some(PHONE_NUMBER_ID),
        "5511987654321",
        "Ana",
        json!({"type": "document", "document": {"id": "999999999", "mime_type": "application/pdf", "filename": "nota.pdf"}}),
    )
    .await
    .unwrap();
    app.drain_jobs().await;
    app.drain_jobs().await;
    let (_, messages) = thread(&user).await;
    assert_eq!(messages[0]["media_url"], Value::Null);
    assert!(messages[0]["payload"]["media_error"].is_string(), "{}", messages[0]);
}

#[tokio::test]
async fn a_file_uploaded_for_a_reply_goes_to_meta_and_shows_in_the_thread() {
    let (app, fake, user) = world().await;
    fake.emit_inbound_text("5511987654321", "Ana", "Manda o boleto?").await.unwrap();
    app.drain_jobs().await;
    let (conversation, _) = thread(&user).await;
    let pdf = b"%PDF-1.4 pretend".to_vec();
    let response = user
        .session
        .upload(
            &format!("/api/v1/conversations/{conversation}/media?filename=boleto.pdf"),
            "application/pdf",
            pdf.clone(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let uploaded: Value = response.json().await.unwrap();
    assert_eq!(uploaded["kind"], "document");
    let media_id = uploaded["media_id"].as_str().unwrap();
    assert_eq!(fake.media(media_id).expect("uploaded to Meta").0, pdf);

    let sent = user
        .session
        .post(
            &format!("/api/v1/conversations/{conversation}/messages"),
            json!({"media": {"kind": "document", "media_id": media_id, "filename": "boleto.pdf", "caption": "Segue"}}),
        )
        .await;
    assert_eq!(sent.status(), StatusCode::CREATED);
    app.drain_jobs().await;
    let (_, messages) = thread(&user).await;
    let reply = messages.last().unwrap();
    assert_eq!(reply["status"], "sent");
    let file = user.session.get(reply["media_url"].as_str().unwrap()).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert!(file.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(fake.sent_messages()[0].body["document"]["id"], media_id);

    let refused = user
        .session
        .upload(
            &format!("/api/v1/conversations/{conversation}/media"),
            "application/x-msdownload",
            b"MZ".to_vec(),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
}
