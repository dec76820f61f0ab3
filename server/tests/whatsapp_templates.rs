//! Templates: sync from the fake Graph API (paged), list, create, status webhooks, and the
//! checks a template send goes through.

mod common;

use common::{CloudConnection, TestApp, TestUser};
use fakes::graph::{FakeGraph, FakeGraphConfig, PhoneNumber};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PHONE_NUMBER_ID: &str = "106540352242922";
const WABA_ID: &str = "102290129340398";

async fn world() -> (TestApp, FakeGraph, TestUser, CloudConnection) {
    let fake = FakeGraph::start(FakeGraphConfig::default()).await.unwrap();
    let mut number = PhoneNumber::new(PHONE_NUMBER_ID, "EAAG-test-token");
    number.waba_id = WABA_ID.into();
    fake.add_phone_number(number);
    let (mut config, data_dir) = common::test_config().await;
    config.graph_api_base = fake.base_url();
    let app = common::spawn_with(config, data_dir).await;
    let user = app.verified_user("Acme").await;
    let connection = app.cloud_connection(&user, PHONE_NUMBER_ID).await;
    fake.set_webhook(app.url(&connection.webhook_path), connection.app_secret.clone());
    (app, fake, user, connection)
}

fn template(name: &str, status: &str) -> Value {
    json!({"name": name, "language": "pt_BR", "category": "UTILITY", "status": status,
           "components": [{"type": "BODY", "text": "Olá {{1}}, pedido {{2}}."}]})
}

/// The connections named by the `templates.changed` events received so far.
fn templates_changed(
    live: &mut tokio::sync::broadcast::Receiver<server::events::Sequenced>,
) -> Vec<uuid::Uuid> {
    common::received_events(live)
        .iter()
        .filter_map(|event| match **event {
            shared::ServerEvent::TemplatesChanged { connection_id } => Some(connection_id),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn templates_sync_in_pages_and_list_with_their_variables() {
    let (app, fake, user, connection) = world().await;
    for n in 0..120 {
        fake.add_template(WABA_ID, template(&format!("t_{n:03}"), "APPROVED"));
    }
    fake.add_template(WABA_ID, template("waiting", "PENDING"));
    let mut live = app.state.events.subscribe(user.company_id);
    let base = format!("/api/v1/connections/{}/templates", connection.id);
    let result: Value =
        user.session.post(&format!("{base}/sync"), json!({})).await.json().await.unwrap();
    assert_eq!(result, json!({"synced": 121, "removed": 0}));
    assert_eq!(templates_changed(&mut live), vec![connection.id], "a sync tells open screens");
    let list: Value = user.session.get(&base).await.json().await.unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 121);
    let first = &items[0];
    assert_eq!(first["name"], "t_000");
    assert_eq!(first["status"], "APPROVED");
    assert_eq!(first["body_variables"], 2);
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());

    // Meta's status webhook moves a template along.
    let webhook = json!({"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "time": 1700000000,
        "changes": [{"field": "message_template_status_update", "value": {"event": "REJECTED",
            "message_template_id": 1, "message_template_name": "waiting", "message_template_language": "pt_BR",
            "reason": "INVALID_FORMAT", "message_template_category": "UTILITY"}}]}]});
    assert_eq!(
        app.post_webhook(&connection, &serde_json::to_vec(&webhook).unwrap()).await.status(),
        StatusCode::OK
    );
    app.drain_jobs().await;
    assert_eq!(templates_changed(&mut live), vec![connection.id], "so does Meta's review");
    let list: Value = user.session.get(&base).await.json().await.unwrap();
    let waiting =
        list["items"].as_array().unwrap().iter().find(|t| t["name"] == "waiting").unwrap().clone();
    assert_eq!(waiting["status"], "REJECTED");
    assert_eq!(waiting["rejected_reason"], "INVALID_FORMAT");

    // A template gone at Meta goes here too (simulated: a local-only row).
    use sea_orm::ConnectionTrait;
    app.state
        .db
        .execute_unprepared("UPDATE message_templates SET name = 'only_here' WHERE name = 't_000'")
        .await
        .unwrap();
    let result: Value =
        user.session.post(&format!("{base}/sync"), json!({})).await.json().await.unwrap();
    assert_eq!(result, json!({"synced": 121, "removed": 1}));
}

#[tokio::test]
async fn a_template_is_submitted_to_meta_and_checked_here_first() {
    let (app, fake, user, connection) = world().await;
    let base = format!("/api/v1/connections/{}/templates", connection.id);
    let body = json!({"name": "order_update", "language": "pt_BR", "category": "utility",
        "components": [{"type": "BODY", "text": "Olá {{1}}", "example": {"body_text": [["Ana"]]}}]});
    let created = user.session.post(&base, body.clone()).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["status"], "PENDING");
    assert_eq!(created["category"], "UTILITY");
    assert!(created["provider_id"].is_string());
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
    assert_eq!(user.session.post(&base, body).await.status(), StatusCode::CONFLICT);

    for (field, bad) in [
        (
            "name",
            json!({"name": "Order Update", "language": "pt_BR", "category": "UTILITY", "components": [{"type": "BODY", "text": "x"}]}),
        ),
        (
            "category",
            json!({"name": "x", "language": "pt_BR", "category": "PROMO", "components": [{"type": "BODY", "text": "x"}]}),
        ),
        (
            "components",
            json!({"name": "x", "language": "pt_BR", "category": "UTILITY", "components": []}),
        ),
    ] {
        let response = user.session.post(&base, bad).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{field}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["error"]["field"], field);
    }
    let agent = app.add_member(&user, "agent").await;
    let response = agent
        .session
        .post(&base, json!({"name": "y", "language": "pt_BR", "category": "UTILITY", "components": [{"type": "BODY", "text": "x"}]}))
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn sends_of_synced_templates_are_checked_before_they_queue() {
    let (app, fake, user, connection) = world().await;
    fake.add_template(WABA_ID, template("approved_one", "APPROVED"));
    fake.add_template(WABA_ID, template("pending_one", "PENDING"));
    let base = format!("/api/v1/connections/{}/templates", connection.id);
    user.session.post(&format!("{base}/sync"), json!({})).await;
    fake.emit_inbound_text("5511987654321", "Ana", "Oi").await.unwrap();
    app.drain_jobs().await;
    let list: Value = user.session.get("/api/v1/conversations").await.json().await.unwrap();
    let path =
        format!("/api/v1/conversations/{}/messages", list["items"][0]["id"].as_str().unwrap());

    let send = |name: &str, body: Vec<&str>| json!({"template": {"name": name, "language": "pt_BR", "body": body}});
    let wrong_count = user.session.post(&path, send("approved_one", vec!["Ana"])).await;
    assert_eq!(wrong_count.status(), StatusCode::BAD_REQUEST);
    let answer: Value = wrong_count.json().await.unwrap();
    assert!(answer["error"]["message"].as_str().unwrap().contains("needs 2 variable"), "{answer}");
    let pending = user.session.post(&path, send("pending_one", vec!["Ana", "1"])).await;
    assert_eq!(pending.status(), StatusCode::BAD_REQUEST);
    let ok = user.session.post(&path, send("approved_one", vec!["Ana", "#1"])).await;
    assert_eq!(ok.status(), StatusCode::CREATED);
    app.drain_jobs().await;
    assert_eq!(fake.sent_messages().len(), 1);
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
}

#[tokio::test]
async fn a_sync_refused_by_meta_says_why_and_changes_nothing() {
    let (_app, _fake, user, connection) = world().await;
    user.session
        .patch(
            &format!("/api/v1/connections/{}", connection.id),
            json!({"access_token": "EAAG-revoked"}),
        )
        .await;
    let response = user
        .session
        .post(&format!("/api/v1/connections/{}/templates/sync", connection.id), json!({}))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "provider_error");
    assert!(answer["error"]["message"].as_str().unwrap().contains("access token"), "{answer}");
}
