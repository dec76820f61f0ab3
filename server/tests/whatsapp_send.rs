//! Replies through the WhatsApp Cloud channel, against the fake Graph API that checks every
//! request against Meta's OpenAPI document: each send kind, statuses, the 24-hour window,
//! errors by class, and a crash in the middle of a send.

mod common;

use common::{error_code, CloudConnection, TestApp, TestUser};
use fakes::graph::{FakeGraph, FakeGraphConfig, GraphErrorSpec, PhoneNumber, StatusUpdate};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};
use server::db::entities::{jobs, messages};

const PHONE_NUMBER_ID: &str = "106540352242922";

struct World {
    app: TestApp,
    fake: FakeGraph,
    user: TestUser,
    connection: CloudConnection,
    conversation: String,
}

async fn world() -> World {
    let fake = FakeGraph::start(FakeGraphConfig::default()).await.expect("fake Graph starts");
    fake.add_phone_number(PhoneNumber {
        id: PHONE_NUMBER_ID.into(),
        display_phone_number: "+55 11 4000-0000".into(),
        verified_name: "Acme Store".into(),
        quality_rating: "GREEN".into(),
        access_token: "EAAG-test-token".into(),
        waba_id: "102290129340398".into(),
    });
    let (mut config, data_dir) = common::test_config().await;
    config.graph_api_base = fake.base_url();
    let app = common::spawn_with(config, data_dir).await;
    let user = app.verified_user("Acme").await;
    let connection = app.cloud_connection(&user, PHONE_NUMBER_ID).await;
    fake.set_webhook(app.url(&connection.webhook_path), connection.app_secret.clone());
    // The customer writes first: the 24-hour window opens.
    fake.emit_inbound_text("5511987654321", "Ana", "Oi, tudo bem?").await.expect("inbound webhook");
    app.drain_jobs().await;
    let list: Value = user.session.get("/api/v1/conversations").await.json().await.unwrap();
    let conversation = list["items"][0]["id"].as_str().expect("a conversation").to_owned();
    World { app, fake, user, connection, conversation }
}

impl World {
    async fn send(&self, body: Value) -> (StatusCode, Value) {
        let response = self
            .user
            .session
            .post(&format!("/api/v1/conversations/{}/messages", self.conversation), body)
            .await;
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn message(&self, id: &str) -> Value {
        let thread: Value = self
            .user
            .session
            .get(&format!("/api/v1/conversations/{}/messages", self.conversation))
            .await
            .json()
            .await
            .unwrap();
        thread["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .cloned()
            .expect("message in thread")
    }

    fn assert_no_violations(&self) {
        assert!(self.fake.violations().is_empty(), "{:#?}", self.fake.violations());
    }
}

#[tokio::test]
async fn a_text_reply_is_sent_and_follows_its_statuses() {
    let w = world().await;
    let (status, queued) = w.send(json!({"text": "Tudo ótimo! Como posso ajudar?"})).await;
    assert_eq!(status, StatusCode::CREATED, "{queued}");
    assert_eq!(queued["status"], "queued");
    assert_eq!(queued["direction"], "out");
    w.app.drain_jobs().await;

    let sent = w.fake.sent_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].body["to"], "5511987654321");
    assert_eq!(sent[0].body["text"]["body"], "Tudo ótimo! Como posso ajudar?");
    w.assert_no_violations();
    let id = queued["id"].as_str().unwrap();
    let message = w.message(id).await;
    assert_eq!(message["status"], "sent");
    assert_eq!(message["provider_message_id"], sent[0].wamid.as_str());

    for update in [StatusUpdate::Delivered, StatusUpdate::Read] {
        w.fake.emit_status(&sent[0].wamid, update).await.unwrap();
    }
    w.app.drain_jobs().await;
    assert_eq!(w.message(id).await["status"], "read");
    let conversations: Value =
        w.user.session.get("/api/v1/conversations").await.json().await.unwrap();
    assert_eq!(conversations["items"][0]["last_message_preview"], "Tudo ótimo! Como posso ajudar?");
}

#[tokio::test]
async fn every_send_kind_passes_the_spec() {
    let w = world().await;
    let inbound: Value = w
        .user
        .session
        .get(&format!("/api/v1/conversations/{}/messages", w.conversation))
        .await
        .json()
        .await
        .unwrap();
    let customer_message = inbound["items"][0]["id"].as_str().unwrap().to_owned();
    w.fake.add_template(
        "102290129340398",
        json!({"name": "order_update", "language": "pt_BR", "category": "UTILITY", "status": "APPROVED",
               "components": [{"type": "HEADER", "format": "TEXT", "text": "Pedido {{1}}"},
                              {"type": "BODY", "text": "Olá {{1}}, seu pedido {{2}} saiu."},
                              {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Rastrear", "url": "https://acme.example/t/{{1}}"}]}]}),
    );
    let bodies = [
        json!({"text": "Veja https://acme.example", "reply_to": customer_message}),
        json!({"media": {"kind": "image", "link": "https://acme.example/p.jpg", "caption": "Foto"}}),
        json!({"media": {"kind": "document", "link": "https://acme.example/n.pdf", "filename": "nota.pdf"}}),
        json!({"media": {"kind": "audio", "media_id": "1234567890"}}),
        json!({"template": {"name": "order_update", "language": "pt_BR", "body": ["Ana", "#123"],
                            "header": {"type": "text", "text": "#123"},
                            "buttons": [{"index": 0, "sub_type": "url", "value": "123"}]}}),
        json!({"interactive": {"body": "Escolha", "footer": "Acme", "buttons": [{"id": "yes", "title": "Sim"}, {"id": "no", "title": "Não"}]}}),
        json!({"interactive": {"body": "Horários", "list": {"button": "Ver", "sections": [{"title": "Manhã", "rows": [{"id": "9", "title": "09:00", "description": "Loja"}]}]}}}),
        json!({"reaction": {"message_id": customer_message, "emoji": "👍"}}),
    ];
    for body in &bodies {
        let (status, answer) = w.send(body.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}: {answer}");
    }
    w.app.drain_jobs().await;
    w.assert_no_violations();
    let sent = w.fake.sent_messages();
    assert_eq!(sent.len(), bodies.len(), "{:#?}", w.fake.requests());
    let kinds: Vec<&str> = sent.iter().map(|s| s.body["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "text",
            "image",
            "document",
            "audio",
            "template",
            "interactive",
            "interactive",
            "reaction"
        ]
    );
    assert!(sent[0].body["context"]["message_id"].as_str().unwrap().starts_with("wamid."));
    let failed = messages::Entity::find()
        .filter(messages::Column::Status.eq("failed"))
        .all(&w.app.state.db)
        .await
        .unwrap();
    assert!(failed.is_empty(), "{failed:#?}");
}

#[tokio::test]
async fn after_24_hours_only_a_template_goes_out() {
    let w = world().await;
    w.app
        .state
        .db
        .execute_unprepared("UPDATE conversations SET last_inbound_at = '2020-01-01T00:00:00Z'")
        .await
        .unwrap();
    let (status, body) = w.send(json!({"text": "Oi?"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "window_closed");
    w.fake.add_template(
        "102290129340398",
        json!({"name": "hello", "language": "pt_BR", "category": "UTILITY", "status": "APPROVED",
               "components": [{"type": "BODY", "text": "Olá {{1}}"}]}),
    );
    let (status, _) =
        w.send(json!({"template": {"name": "hello", "language": "pt_BR", "body": ["Ana"]}})).await;
    assert_eq!(status, StatusCode::CREATED);
    w.app.drain_jobs().await;
    assert_eq!(w.fake.sent_messages().len(), 1);
    w.assert_no_violations();
}

#[tokio::test]
async fn a_permanent_error_fails_at_once_and_a_rate_limit_is_retried() {
    let w = world().await;
    w.fake.fail_next(
        "/messages",
        GraphErrorSpec::new(131026, "Message undeliverable")
            .details("Receiver is incapable of receiving this message"),
        1,
    );
    let (_, first) = w.send(json!({"text": "primeira"})).await;
    w.app.drain_jobs().await;
    let first = w.message(first["id"].as_str().unwrap()).await;
    assert_eq!(first["status"], "failed");
    assert_eq!(first["error_code"], 131026);
    assert!(first["error"].as_str().unwrap().contains("could not be delivered"), "{first}");

    w.fake.fail_next("/messages", GraphErrorSpec::new(130429, "Rate limit hit"), 1);
    let (_, second) = w.send(json!({"text": "segunda"})).await;
    let id = second["id"].as_str().unwrap().to_owned();
    w.app.drain_jobs().await;
    let waiting = w.message(&id).await;
    assert_eq!(waiting["status"], "queued", "kept for a retry: {waiting}");
    assert_eq!(waiting["error_code"], 130429);
    // The retry is scheduled with backoff; bring it forward instead of sleeping.
    w.app
        .state
        .db
        .execute_unprepared(
            "UPDATE jobs SET run_at = '2000-01-01T00:00:00Z' WHERE status = 'pending'",
        )
        .await
        .unwrap();
    w.app.drain_jobs().await;
    let sent = w.message(&id).await;
    assert_eq!(sent["status"], "sent", "{sent}");
    assert_eq!(sent["error"], Value::Null);

    // A failed message can be sent again on request.
    let retried = w
        .user
        .session
        .post(
            &format!(
                "/api/v1/conversations/{}/messages/{}/retry",
                w.conversation,
                first["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(retried.status(), StatusCode::OK);
    w.app.drain_jobs().await;
    assert_eq!(w.message(first["id"].as_str().unwrap()).await["status"], "sent");
    let again = w
        .user
        .session
        .post(
            &format!(
                "/api/v1/conversations/{}/messages/{}/retry",
                w.conversation,
                first["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "only failed messages are retried");
    w.assert_no_violations();
}

#[tokio::test]
async fn a_send_interrupted_by_a_crash_is_not_repeated_blindly() {
    let w = world().await;
    let (_, queued) = w.send(json!({"text": "talvez"})).await;
    let id: uuid::Uuid = queued["id"].as_str().unwrap().parse().unwrap();
    // What a worker leaves behind when the process dies between its claim and Meta's answer.
    let row = messages::Entity::find_by_id(id).one(&w.app.state.db).await.unwrap().unwrap();
    let mut active: messages::ActiveModel = row.into();
    active.attempt_started_at = Set(Some(server::db::now()));
    active.update(&w.app.state.db).await.unwrap();
    w.app.drain_jobs().await;
    assert!(w.fake.sent_messages().is_empty(), "never sent a second time");
    let message = w.message(&id.to_string()).await;
    assert_eq!(message["status"], "failed");
    assert!(message["error"].as_str().unwrap().contains("may or may not have been delivered"));
    let dead = jobs::Entity::find()
        .filter(jobs::Column::Status.eq("dead"))
        .all(&w.app.state.db)
        .await
        .unwrap();
    assert!(dead.is_empty());
}

#[tokio::test]
async fn bad_replies_are_refused_with_a_reason() {
    let w = world().await;
    for (body, field) in [
        (json!({}), "text"),
        (
            json!({"text": "a", "media": {"kind": "image", "link": "https://x.example/a.jpg"}}),
            "text",
        ),
        (json!({"text": "   "}), "text"),
        (json!({"media": {"kind": "image"}}), "media"),
        (json!({"media": {"kind": "image", "link": "ftp://x/a.jpg"}}), "media.link"),
        (json!({"template": {"name": "Bad Name", "language": "pt_BR"}}), "template.name"),
        (
            json!({"template": {"name": "ok", "language": "pt_BR", "body": ["two\nlines"]}}),
            "template.body",
        ),
        (
            json!({"interactive": {"body": "x", "buttons": [{"id": "1", "title": "a"}, {"id": "2", "title": "b"}, {"id": "3", "title": "c"}, {"id": "4", "title": "d"}]}}),
            "interactive.buttons",
        ),
        (
            json!({"reaction": {"message_id": uuid::Uuid::now_v7(), "emoji": "👍"}}),
            "reaction.message_id",
        ),
    ] {
        let (status, answer) = w.send(body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer["error"]["field"], field, "{body}: {answer}");
    }
    let stranger = w.app.verified_user("Other").await;
    let response = stranger
        .session
        .post(&format!("/api/v1/conversations/{}/messages", w.conversation), json!({"text": "oi"}))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(response).await, "not_found");
    assert!(w.fake.sent_messages().is_empty());
}

#[tokio::test]
async fn testing_a_connection_reads_the_number_from_meta() {
    let w = world().await;
    let path = format!("/api/v1/connections/{}/test", w.connection.id);
    let result: Value = w.user.session.post(&path, json!({})).await.json().await.unwrap();
    assert_eq!(result["ok"], true, "{result}");
    assert_eq!(result["connection"]["status"], "connected");
    assert_eq!(result["connection"]["verified_name"], "Acme Store");
    assert_eq!(result["connection"]["quality_rating"], "GREEN");
    assert_eq!(result["connection"]["display_phone_number"], "+55 11 4000-0000");
    w.assert_no_violations();

    // A revoked token: Meta's refusal in plain words, and the connection shows the error.
    let patched = w
        .user
        .session
        .patch(
            &format!("/api/v1/connections/{}", w.connection.id),
            json!({"access_token": "EAAG-revoked"}),
        )
        .await;
    assert_eq!(patched.status(), StatusCode::OK);
    let result: Value = w.user.session.post(&path, json!({})).await.json().await.unwrap();
    assert_eq!(result["ok"], false);
    assert!(result["error"].as_str().unwrap().contains("access token"), "{result}");
    assert_eq!(result["connection"]["status"], "error");
}

#[tokio::test]
async fn reading_a_conversation_clears_its_unread_count_and_sends_read_ticks() {
    let w = world().await;
    let before: Value = w
        .user
        .session
        .get(&format!("/api/v1/conversations/{}", w.conversation))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(before["unread_count"], 1);
    let response = w
        .user
        .session
        .post(&format!("/api/v1/conversations/{}/read", w.conversation), json!({}))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    w.app.drain_jobs().await;
    let after: Value = w
        .user
        .session
        .get(&format!("/api/v1/conversations/{}", w.conversation))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["unread_count"], 0);
    let reads: Vec<_> = w
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/messages") && r.method == "POST")
        .collect();
    assert_eq!(reads.len(), 1, "one read receipt");
    w.assert_no_violations();
    let stranger = w.app.verified_user("Other").await;
    let response = stranger
        .session
        .post(&format!("/api/v1/conversations/{}/read", w.conversation), json!({}))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_agent_typing_shows_typing_on_whatsapp_once_per_burst() {
    let w = world().await;
    let typing = format!("/api/v1/conversations/{}/typing", w.conversation);
    // Keystrokes in a burst: one signal waits, the others add nothing.
    for _ in 0..3 {
        assert_eq!(w.user.session.post(&typing, json!({})).await.status(), StatusCode::NO_CONTENT);
    }
    w.app.drain_jobs().await;
    let signals: Vec<_> = w
        .fake
        .requests()
        .into_iter()
        .filter(|r| {
            r.path.ends_with("/messages")
                && r.body.json().is_some_and(|b| b.get("typing_indicator").is_some())
        })
        .collect();
    assert_eq!(signals.len(), 1, "{signals:#?}");
    let body = signals[0].body.json().unwrap();
    assert_eq!(body["typing_indicator"], json!({"type": "text"}));
    assert_eq!(body["status"], "read");
    assert!(body["message_id"].as_str().unwrap().starts_with("wamid."));
    w.assert_no_violations();

    // Another company's conversation is not found; nothing is sent for it.
    let stranger = w.app.verified_user("Other").await;
    assert_eq!(stranger.session.post(&typing, json!({})).await.status(), StatusCode::NOT_FOUND);
}
