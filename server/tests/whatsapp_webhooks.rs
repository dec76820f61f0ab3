//! Meta's webhook end to end: handshake, signatures, every published payload through the real
//! endpoint and processor, idempotent re-delivery, and what agents then see.

mod common;

use std::path::PathBuf;

use common::{
    conformance_dir, error_code, spawn_app, text_delivery, CloudConnection, TestApp, TestUser,
};
use reqwest::{Client, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use server::db::entities::{jobs, message_status_events, messages, webhook_inbox};

fn payload_files() -> Vec<PathBuf> {
    let root = conformance_dir();
    let mut files = Vec::new();
    for dir in ["pywa/split", "meta-openapi/webhook_examples"] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .collect();
        found.sort();
        assert!(found.len() > 10, "{dir} holds the payloads");
        files.extend(found);
    }
    files
}

async fn setup() -> (TestApp, TestUser, CloudConnection) {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    let connection = app.cloud_connection(&user, "106540352242922").await;
    (app, user, connection)
}

#[tokio::test]
async fn the_subscription_handshake_echoes_the_challenge_only_for_the_right_token() {
    let (app, _user, connection) = setup().await;
    let url = |token: &str, mode: &str| {
        app.url(&format!(
            "{}?hub.mode={mode}&hub.verify_token={token}&hub.challenge=1158201444",
            connection.webhook_path
        ))
    };
    let ok = Client::new().get(url(&connection.verify_token, "subscribe")).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.text().await.unwrap(), "1158201444");

    let wrong = Client::new().get(url("guess", "subscribe")).send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let bad_mode =
        Client::new().get(url(&connection.verify_token, "unsubscribe")).send().await.unwrap();
    assert_eq!(bad_mode.status(), StatusCode::FORBIDDEN);
    let unknown = Client::new()
        .get(app.url(
            "/api/webhooks/meta/not-a-slug?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_published_payload_is_stored_or_deliberately_ignored() {
    let (app, _user, connection) = setup().await;
    let files = payload_files();
    for file in &files {
        let body = std::fs::read(file).unwrap();
        let response = app.post_webhook(&connection, &body).await;
        assert_eq!(response.status(), StatusCode::OK, "{}", file.display());
    }
    app.drain_jobs().await;

    // Every delivery was processed (none failed, no job died), and each says what it did.
    let rows = webhook_inbox::Entity::find().all(&app.state.db).await.unwrap();
    assert_eq!(rows.len(), files.len(), "one inbox row per distinct delivery");
    for row in &rows {
        assert_eq!(row.status, "processed", "{:?}", row.outcome);
        assert!(
            row.outcome.as_deref().is_some_and(|o| o.starts_with("stored")),
            "{:?}",
            row.outcome
        );
    }
    let dead = jobs::Entity::find()
        .filter(jobs::Column::Status.eq("dead"))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(dead, 0);

    // The samples reuse message ids across types (`wamid.xyzxyz`), which real traffic never
    // does; so every kind is checked again in a second company where each sample's message
    // ids are made unique (nothing else changes).
    let second = app.verified_user("Second").await;
    let second_connection = app.cloud_connection(&second, "106540352242922").await;
    for (n, file) in files.iter().enumerate() {
        let body = with_unique_message_ids(&std::fs::read(file).unwrap(), n);
        assert_eq!(app.post_webhook(&second_connection, &body).await.status(), StatusCode::OK);
    }
    app.drain_jobs().await;
    let stored = messages::Entity::find()
        .filter(messages::Column::CompanyId.eq(second.company_id))
        .all(&app.state.db)
        .await
        .unwrap();
    let kinds: std::collections::BTreeSet<&str> = stored.iter().map(|m| m.kind.as_str()).collect();
    for kind in [
        "text",
        "image",
        "audio",
        "video",
        "document",
        "sticker",
        "location",
        "contacts",
        "reaction",
        "interactive",
        "button",
        "order",
        "system",
        "unsupported",
    ] {
        assert!(kinds.contains(kind), "no {kind} message among {kinds:?}");
    }
    let location = stored.iter().find(|m| m.kind == "location").unwrap();
    assert!(location.payload.get("latitude").is_some(), "{}", location.payload);
    let image = stored.iter().find(|m| m.kind == "image").unwrap();
    assert!(image.payload.get("id").is_some() && image.payload.get("mime_type").is_some());
    let voice = stored.iter().find(|m| m.kind == "audio" && m.payload.get("voice").is_some());
    assert!(voice.is_some(), "voice notes keep their flag");
    let referral = stored.iter().find(|m| m.payload.get("referral").is_some());
    assert!(referral.is_some(), "the click-to-WhatsApp referral is kept");
    let reply = stored.iter().find(|m| m.text.as_deref() == Some("replied text")).unwrap();
    assert_eq!(reply.reply_to_provider_id.as_deref(), Some("wamid.xyzxyz=="));
    let unreaction = stored.iter().filter(|m| m.kind == "reaction" && m.text.is_none()).count();
    assert!(unreaction >= 1, "an un-reaction is a reaction without an emoji");
    let user = second;

    // Statuses (sent, delivered, read, played, failed with its code) are in the history.
    let statuses = message_status_events::Entity::find().all(&app.state.db).await.unwrap();
    for status in ["sent", "delivered", "read", "played", "failed"] {
        assert!(statuses.iter().any(|s| s.status == status), "no {status} status");
    }
    let failed = statuses.iter().find(|s| s.status == "failed").unwrap();
    assert_eq!(failed.error_code, Some(130472));

    // What agents see: conversations with the customer's profile name and a preview.
    let page: Value = user.session.get("/api/v1/conversations").await.json().await.unwrap();
    let items = page["items"].as_array().unwrap();
    assert!(!items.is_empty());
    let named = items.iter().find(|c| c["contact"]["phone"] == "+972987654321").unwrap();
    assert!(!named["contact"]["name"].as_str().unwrap().is_empty());
    assert!(named["window_closes_at"].is_string());
    assert!(named["unread_count"].as_i64().unwrap() > 1);

    // Sending everything again is a no-op.
    let before = messages::Entity::find().count(&app.state.db).await.unwrap();
    for file in &files {
        let response = app.post_webhook(&connection, &std::fs::read(file).unwrap()).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    app.drain_jobs().await;
    assert_eq!(messages::Entity::find().count(&app.state.db).await.unwrap(), before);
    assert_eq!(
        webhook_inbox::Entity::find().count(&app.state.db).await.unwrap(),
        2 * files.len() as u64
    );
}

fn with_unique_message_ids(body: &[u8], n: usize) -> Vec<u8> {
    let mut value: Value = serde_json::from_slice(body).unwrap();
    for entry in value["entry"].as_array_mut().into_iter().flatten() {
        for change in entry["changes"].as_array_mut().into_iter().flatten() {
            for message in change["value"]["messages"].as_array_mut().into_iter().flatten() {
                if let Some(id) = message["id"].as_str() {
                    message["id"] = Value::String(format!("{id}.{n}"));
                }
            }
        }
    }
    serde_json::to_vec(&value).unwrap()
}

#[tokio::test]
async fn a_bad_or_missing_signature_is_refused_and_nothing_is_kept() {
    let (app, _user, connection) = setup().await;
    let body = text_delivery("5511987654321", "Ana", "wamid.sig", "Oi", 1_700_000_000);
    let forged = Client::new()
        .post(app.url(&connection.webhook_path))
        .header("X-Hub-Signature-256", format!("sha256={}", "0".repeat(64)))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(forged).await, "invalid_signature");
    let unsigned = Client::new()
        .post(app.url(&connection.webhook_path))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);

    // Signed with another app's secret.
    let other = CloudConnection { app_secret: "someone-else".into(), ..clone(&connection) };
    assert_eq!(app.post_webhook(&other, &body).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(webhook_inbox::Entity::find().count(&app.state.db).await.unwrap(), 0);
}

fn clone(c: &CloudConnection) -> CloudConnection {
    CloudConnection {
        id: c.id,
        slug: c.slug.clone(),
        webhook_path: c.webhook_path.clone(),
        app_secret: c.app_secret.clone(),
        verify_token: c.verify_token.clone(),
    }
}

#[tokio::test]
async fn the_signature_vectors_verify() {
    let raw =
        std::fs::read_to_string(conformance_dir().join("whatsapp_signature_vectors.json")).unwrap();
    let vectors: Value = serde_json::from_str(&raw).unwrap();
    let cases = vectors["cases"].as_array().unwrap();
    assert!(cases.len() >= 3);
    for case in cases {
        let secret = case["app_secret"].as_str().unwrap().as_bytes();
        let body = case["body"].as_str().unwrap().as_bytes();
        let header = format!("sha256={}", case["expected_hex"].as_str().unwrap());
        assert!(
            server::channels::whatsapp_cloud::signature::verify(secret, body, Some(&header)),
            "{}",
            case["source"]
        );
        assert_eq!(server::channels::whatsapp_cloud::signature::sign(secret, body), header);
        let mut tampered = body.to_vec();
        tampered.push(b' ');
        assert!(!server::channels::whatsapp_cloud::signature::verify(
            secret,
            &tampered,
            Some(&header)
        ));
    }
}

#[tokio::test]
async fn a_redelivered_message_is_stored_once_even_in_a_different_envelope() {
    let (app, user, connection) = setup().await;
    let mut live = app.state.events.subscribe(user.company_id);
    let first = text_delivery(
        "5511987654321",
        "Ana Souza",
        "wamid.once",
        "Quero saber do pedido",
        1_700_000_000,
    );
    assert_eq!(app.post_webhook(&connection, &first).await.status(), StatusCode::OK);
    assert_eq!(app.post_webhook(&connection, &first).await.status(), StatusCode::OK);
    // Same message id, other bytes (Meta batches re-deliveries differently).
    let mut batch: Value = serde_json::from_slice(&first).unwrap();
    batch["entry"][0]["changes"][0]["value"]["messages"]
        .as_array_mut()
        .unwrap()
        .push(json!({"from": "5511987654321", "id": "wamid.two", "timestamp": "1700000100", "type": "text", "text": {"body": "Alô?"}}));
    let batch = serde_json::to_vec(&batch).unwrap();
    assert_eq!(app.post_webhook(&connection, &batch).await.status(), StatusCode::OK);
    app.drain_jobs().await;

    let conversations: Value =
        user.session.get("/api/v1/conversations").await.json().await.unwrap();
    let conversation = &conversations["items"][0];
    assert_eq!(conversations["items"].as_array().unwrap().len(), 1);
    assert_eq!(conversation["contact"]["name"], "Ana Souza");
    assert_eq!(conversation["contact"]["phone"], "+5511987654321");
    assert_eq!(conversation["unread_count"], 2);
    assert_eq!(conversation["last_message_preview"], "Alô?");
    let id = conversation["id"].as_str().unwrap();
    let thread: Value = user
        .session
        .get(&format!("/api/v1/conversations/{id}/messages"))
        .await
        .json()
        .await
        .unwrap();
    let texts: Vec<&str> =
        thread["items"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["Quero saber do pedido", "Alô?"]);
    assert_eq!(thread["items"][0]["direction"], "in");
    assert_eq!(thread["items"][0]["status"], "received");

    // Live events: exactly two new messages.
    let created = common::received_events(&mut live)
        .iter()
        .filter(|event| matches!(***event, shared::ServerEvent::MessageCreated { .. }))
        .count();
    assert_eq!(created, 2);

    // The contact exists in the CRM with the profile name.
    let contacts: Value = user.session.get("/api/v1/contacts?q=ana").await.json().await.unwrap();
    assert_eq!(contacts["items"][0]["phone"], "+5511987654321");
}

#[tokio::test]
async fn statuses_move_messages_forward_only() {
    let (app, _user, connection) = setup().await;
    // An inbound message stands in for one we sent (sending arrives with the next slice):
    // statuses apply to whatever message carries the id.
    let inbound = text_delivery("5511987654321", "Ana", "wamid.out1", "x", 1_700_000_000);
    app.post_webhook(&connection, &inbound).await;
    app.drain_jobs().await;
    use sea_orm::{ActiveModelTrait, Set};
    let row = messages::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    let mut active: messages::ActiveModel = row.into();
    active.direction = Set("out".into());
    active.status = Set("sent".into());
    active.update(&app.state.db).await.unwrap();

    let status = |state: &str, ts: i64| {
        serde_json::to_vec(&json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp", "metadata": {"phone_number_id": "106540352242922"},
            "statuses": [{"id": "wamid.out1", "status": state, "timestamp": ts.to_string(), "recipient_id": "5511987654321"}]}}]}]}))
        .unwrap()
    };
    for (state, ts) in [("read", 30), ("delivered", 20), ("sent", 10)] {
        app.post_webhook(&connection, &status(state, 1_700_000_000 + ts)).await;
    }
    app.drain_jobs().await;
    let row = messages::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(row.status, "read", "late delivered/sent never move it back");
    assert_eq!(message_status_events::Entity::find().count(&app.state.db).await.unwrap(), 3);
}

#[tokio::test]
async fn stop_or_sair_opts_the_customer_out_and_a_resolved_conversation_reopens() {
    let (app, user, connection) = setup().await;
    app.post_webhook(
        &connection,
        &text_delivery("5511911112222", "Rui", "wamid.a", "oi", 1_700_000_000),
    )
    .await;
    app.drain_jobs().await;
    // Resolve the conversation (the inbox's status actions arrive with the inbox issue).
    use sea_orm::ConnectionTrait;
    app.state.db.execute_unprepared("UPDATE conversations SET status = 'resolved'").await.unwrap();
    app.post_webhook(
        &connection,
        &text_delivery("5511911112222", "Rui", "wamid.b", " Sair! ", 1_700_000_500),
    )
    .await;
    app.drain_jobs().await;
    let conversations: Value =
        user.session.get("/api/v1/conversations").await.json().await.unwrap();
    assert_eq!(conversations["items"][0]["status"], "open");
    let contacts: Value = user.session.get("/api/v1/contacts?q=rui").await.json().await.unwrap();
    assert_eq!(contacts["items"][0]["opted_out"], true);
    assert_eq!(contacts["items"][0]["opted_out_via"], "keyword");
    // "stop" inside a sentence is not an opt-out.
    app.post_webhook(
        &connection,
        &text_delivery("5511933334444", "Lia", "wamid.c", "please don't stop", 1_700_000_600),
    )
    .await;
    app.drain_jobs().await;
    let lia: Value = user.session.get("/api/v1/contacts?q=lia").await.json().await.unwrap();
    assert_eq!(lia["items"][0]["opted_out"], false);
}

#[tokio::test]
async fn conversations_stay_inside_the_company() {
    let (app, user, connection) = setup().await;
    let other = app.verified_user("Other").await;
    app.post_webhook(
        &connection,
        &text_delivery("5511987654321", "Ana", "wamid.t", "oi", 1_700_000_000),
    )
    .await;
    app.drain_jobs().await;
    let mine: Value = user.session.get("/api/v1/conversations").await.json().await.unwrap();
    let id = mine["items"][0]["id"].as_str().unwrap().to_owned();
    let theirs: Value = other.session.get("/api/v1/conversations").await.json().await.unwrap();
    assert_eq!(theirs["items"].as_array().unwrap().len(), 0);
    for path in
        [format!("/api/v1/conversations/{id}"), format!("/api/v1/conversations/{id}/messages")]
    {
        assert_eq!(other.session.get(&path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let bad = user.session.get("/api/v1/conversations?status=maybe").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let bad_cursor = user.session.get("/api/v1/conversations?cursor=zzz").await;
    assert_eq!(bad_cursor.status(), StatusCode::BAD_REQUEST);
}
