//! Automation rules end to end, on SQLite and PostgreSQL: customers write through the fake Graph
//! API (Meta's spec checked), rules run in the background worker, their actions show in the
//! inbox and reach WhatsApp, and every run is in the rule's log.
//! Covers: keyword trigger with label, tag and a personalised reply; conditions (tags, regex,
//! business hours with holidays); a failing action does not stop the others; loop protection;
//! `no_reply` waits that end with or without an answer; assignment, closing and opt-out; the
//! signed outgoing webhook; disabled rules; validation and tenant isolation.

mod common;

use std::sync::{Arc, Mutex};

use common::{TestApp, TestUser};
use fakes::graph::{FakeGraph, FakeGraphConfig, PhoneNumber};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

const PHONE_NUMBER_ID: &str = "106540352242922";
const CUSTOMER: &str = "5511987654321";

struct World {
    app: TestApp,
    graph: FakeGraph,
    owner: TestUser,
}

async fn world() -> World {
    let graph = FakeGraph::start(FakeGraphConfig::default()).await.expect("fake Graph starts");
    graph.add_phone_number(PhoneNumber {
        id: PHONE_NUMBER_ID.into(),
        display_phone_number: "+55 11 4000-0000".into(),
        verified_name: "Loja Azul".into(),
        quality_rating: "GREEN".into(),
        access_token: "EAAG-test-token".into(),
        waba_id: "102290129340398".into(),
    });
    graph.add_template(
        "102290129340398",
        json!({"name": "retorno", "language": "pt_BR", "category": "UTILITY", "status": "APPROVED",
               "components": [{"type": "BODY", "text": "Olá {{1}}, seu orçamento está pronto."}]}),
    );
    let (mut config, data_dir) = common::test_config().await;
    config.graph_api_base = graph.base_url();
    let app = common::spawn_with(config, data_dir).await;
    let owner = app.verified_user("Loja Azul").await;
    let connection = app.cloud_connection(&owner, PHONE_NUMBER_ID).await;
    graph.set_webhook(app.url(&connection.webhook_path), connection.app_secret.clone());
    let synced = owner
        .session
        .post(&format!("/api/v1/connections/{}/templates/sync", connection.id), json!({}))
        .await;
    assert_eq!(synced.status(), StatusCode::OK);
    World { app, graph, owner }
}

impl World {
    async fn rule(&self, rule: Value) -> String {
        let response = self.owner.session.post("/api/v1/automation-rules", rule).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
        let body: Value = response.json().await.unwrap();
        body["id"].as_str().unwrap().to_owned()
    }

    /// The customer writes; every due job runs (webhook, rules, sends).
    async fn customer_says(&self, text: &str) {
        self.graph.emit_inbound_text(CUSTOMER, "Ana Souza", text).await.expect("inbound webhook");
        self.app.drain_jobs().await;
    }

    async fn conversation(&self) -> Value {
        let list: Value =
            self.owner.session.get("/api/v1/conversations").await.json().await.unwrap();
        list["items"][0].clone()
    }

    async fn thread(&self) -> Vec<Value> {
        let id = self.conversation().await["id"].as_str().unwrap().to_owned();
        let page: Value = self
            .owner
            .session
            .get(&format!("/api/v1/conversations/{id}/messages"))
            .await
            .json()
            .await
            .unwrap();
        page["items"].as_array().unwrap().clone()
    }

    async fn contact(&self) -> Value {
        let id = self.conversation().await["contact"]["id"].as_str().unwrap().to_owned();
        self.owner.session.get(&format!("/api/v1/contacts/{id}")).await.json().await.unwrap()
    }

    /// A teammate sets the contact's tags (through the contacts API, as the app does).
    async fn tag_contact(&self, tag: &str) {
        let contact = self.contact().await;
        let tagged = self
            .owner
            .session
            .patch(
                &format!("/api/v1/contacts/{}", contact["id"].as_str().unwrap()),
                json!({"tags": [tag]}),
            )
            .await;
        assert_eq!(tagged.status(), StatusCode::OK);
    }

    async fn runs(&self, rule: &str) -> Vec<Value> {
        let runs: Value = self
            .owner
            .session
            .get(&format!("/api/v1/automation-rules/{rule}/runs"))
            .await
            .json()
            .await
            .unwrap();
        runs.as_array().unwrap().clone()
    }

    fn sent_texts(&self) -> Vec<String> {
        self.graph
            .sent_messages()
            .iter()
            .filter_map(|m| m.body["text"]["body"].as_str().map(str::to_owned))
            .collect()
    }

    /// Moves every waiting job of `kind` to now (time passing, without waiting for it).
    async fn make_due(&self, kind: &str) {
        let db = &self.app.state.db;
        let sql = format!(
            "UPDATE jobs SET run_at = {} WHERE kind = '{kind}' AND status = 'pending'",
            if server::db::is_postgres(db) {
                "now()"
            } else {
                "strftime('%Y-%m-%d %H:%M:%f', 'now')"
            }
        );
        db.execute_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
        self.app.drain_jobs().await;
    }

    fn assert_faithful(&self) {
        assert!(self.graph.violations().is_empty(), "Graph spec: {:#?}", self.graph.violations());
    }
}

#[tokio::test]
async fn a_keyword_labels_tags_and_answers_with_the_customers_name() {
    let w = world().await;
    let rule = w
        .rule(json!({
            "name": "Preços",
            "trigger": {"type": "keyword", "keywords": ["preço", "quanto custa"]},
            "actions": [
                {"type": "add_label", "label": "vendas"},
                {"type": "add_tag", "tag": "Interessado"},
                {"type": "reply_text", "text": "Olá {{contact.first_name|cliente}}, já te mandamos a tabela!"},
            ],
        }))
        .await;

    w.customer_says("Bom dia").await;
    assert!(w.sent_texts().is_empty(), "no keyword, no reply");
    assert!(w.runs(&rule).await.is_empty());

    w.customer_says("Qual o PRECO do plano?").await;
    assert_eq!(w.sent_texts(), ["Olá Ana, já te mandamos a tabela!"]);
    let conversation = w.conversation().await;
    assert_eq!(conversation["labels"], json!(["vendas"]));
    assert_eq!(w.contact().await["tags"], json!(["interessado"]));

    let thread = w.thread().await;
    let reply = thread.iter().find(|m| m["direction"] == "out").expect("the reply in the thread");
    assert_eq!(reply["payload"]["automation"]["rule_name"], "Preços");
    assert_eq!(reply["sent_by_user_id"], Value::Null);
    let line = thread
        .iter()
        .find(|m| m["kind"] == "activity" && m["payload"]["action"] == "labels")
        .expect("an activity line for the label");
    assert!(line["text"].as_str().unwrap().starts_with("Automation “Preços”"), "{line}");

    let runs = w.runs(&rule).await;
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["outcome"], "done");
    assert_eq!(runs[0]["trigger"], "keyword");
    assert_eq!(runs[0]["contact_name"], "Ana Souza");
    let steps: Vec<&str> = runs[0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["add_label", "add_tag", "reply_text"]);
    let listed: Value = w.owner.session.get("/api/v1/automation-rules").await.json().await.unwrap();
    assert_eq!(listed[0]["runs"], 1);
    assert!(listed[0]["last_run_at"].is_string());

    // Switched off, it does nothing.
    let off = w
        .owner
        .session
        .patch(&format!("/api/v1/automation-rules/{rule}"), json!({"enabled": false}))
        .await;
    assert_eq!(off.status(), StatusCode::OK);
    w.customer_says("e o preço do outro?").await;
    assert_eq!(w.sent_texts().len(), 1);
    assert_eq!(w.runs(&rule).await.len(), 1);
    w.assert_faithful();
}

#[tokio::test]
async fn conditions_must_all_hold_and_a_failed_action_does_not_stop_the_rest() {
    let w = world().await;
    let rule = w
        .rule(json!({
            "name": "Pedido VIP",
            "trigger": {"type": "message_received"},
            "conditions": [
                {"type": "tags", "tags": ["vip"]},
                {"type": "text_matches", "pattern": r"pedido\s*#?\d{4,}"},
            ],
            "actions": [
                {"type": "reply_text", "text": "Enviamos para {{contact.email}}"},
                {"type": "add_label", "label": "pedido-vip"},
            ],
        }))
        .await;

    w.customer_says("Meu pedido #12345 atrasou").await;
    assert!(w.runs(&rule).await.is_empty(), "not a VIP yet");

    w.tag_contact("vip").await;
    w.customer_says("Oi").await;
    assert!(w.runs(&rule).await.is_empty(), "the text does not match");

    w.customer_says("e o pedido 99887?").await;
    let runs = w.runs(&rule).await;
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["outcome"], "failed");
    let steps = runs[0]["steps"].as_array().unwrap();
    assert_eq!(steps[0]["ok"], false);
    assert!(steps[0]["detail"].as_str().unwrap().contains("contact.email"), "{}", steps[0]);
    assert_eq!(steps[1]["ok"], true);
    assert_eq!(w.conversation().await["labels"], json!(["pedido-vip"]));
    assert!(w.graph.sent_messages().is_empty(), "the reply without its value was not sent");
}

#[tokio::test]
async fn outside_business_hours_and_on_holidays_the_customer_is_told() {
    let w = world().await;
    w.rule(json!({
        "name": "Fora do horário",
        "trigger": {"type": "outside_business_hours"},
        "actions": [{"type": "reply_text", "text": "Estamos fechados; respondemos no próximo dia útil."}],
    }))
    .await;

    // No hours kept: never "outside".
    w.customer_says("Olá").await;
    assert!(w.sent_texts().is_empty());

    // Open all week, every hour — but today is a holiday.
    let today = chrono::Utc::now().with_timezone(&chrono_tz::America::Sao_Paulo).date_naive();
    let all_day = json!({"days": [1, 2, 3, 4, 5, 6, 7], "start": "00:00", "end": "24:00"});
    let hours = w
        .owner
        .session
        .send(
            reqwest::Method::PUT,
            "/api/v1/company/business-hours",
            Some(json!({"windows": [all_day], "holidays": []})),
        )
        .await;
    assert_eq!(hours.status(), StatusCode::OK, "{}", hours.text().await.unwrap());
    w.customer_says("Vocês estão abertos?").await;
    assert!(w.sent_texts().is_empty(), "open every hour");

    let hours = w
        .owner
        .session
        .send(
            reqwest::Method::PUT,
            "/api/v1/company/business-hours",
            Some(json!({"windows": [all_day],
                "holidays": [{"date": today.to_string(), "name": "Feriado", "every_year": false}]})),
        )
        .await;
    let saved: Value = hours.json().await.unwrap();
    assert_eq!(saved["holidays"][0]["name"], "Feriado");
    assert_eq!(saved["time_zone"], "America/Sao_Paulo");
    w.customer_says("E hoje?").await;
    assert_eq!(w.sent_texts(), ["Estamos fechados; respondemos no próximo dia útil."]);

    // Bad hours are refused with the field.
    let bad = w
        .owner
        .session
        .send(
            reqwest::Method::PUT,
            "/api/v1/company/business-hours",
            Some(json!({"windows": [{"days": [1], "start": "18:00", "end": "09:00"}], "holidays": []})),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["field"], "windows");
}

#[tokio::test]
async fn a_template_reply_is_personalised_and_checked_against_the_template() {
    let w = world().await;
    let rule = w
        .rule(json!({
            "name": "Orçamento",
            "trigger": {"type": "keyword", "keywords": ["orçamento"]},
            "actions": [
                {"type": "reply_template", "name": "retorno", "language": "pt_BR",
                 "variables": ["{{contact.first_name|cliente}}"]},
                {"type": "reply_template", "name": "retorno", "language": "pt_BR", "variables": []},
            ],
        }))
        .await;
    w.customer_says("Meu orcamento ficou pronto?").await;
    let sent = w.graph.sent_messages();
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(sent[0].body["type"], "template");
    assert_eq!(sent[0].body["template"]["name"], "retorno");
    assert_eq!(sent[0].body["template"]["components"][0]["parameters"][0]["text"], "Ana");
    let runs = w.runs(&rule).await;
    assert_eq!(runs[0]["outcome"], "failed");
    assert_eq!(runs[0]["steps"][0]["ok"], true);
    assert_eq!(runs[0]["steps"][1]["ok"], false);
    assert!(runs[0]["steps"][1]["detail"].as_str().unwrap().contains("needs 1 variable"));
    w.assert_faithful();
}

#[tokio::test]
async fn a_rule_never_runs_again_on_what_it_caused() {
    let w = world().await;
    w.customer_says("Oi").await;
    // Re-adding its own tag makes a new `contact_tagged` event for the same rule.
    let rule = w
        .rule(json!({
            "name": "Eco",
            "trigger": {"type": "contact_tagged", "tag": "ping"},
            "actions": [{"type": "remove_tag", "tag": "ping"}, {"type": "add_tag", "tag": "ping"},
                {"type": "add_label", "label": "eco"}],
        }))
        .await;
    w.tag_contact("PING").await;
    w.app.drain_jobs().await; // the rule runs on the tag, then on the tag it re-added

    let runs = w.runs(&rule).await;
    assert_eq!(runs.len(), 2, "{runs:#?}");
    assert_eq!(runs[1]["outcome"], "done", "the first run, on the teammate's tag");
    assert_eq!(runs[0]["outcome"], "skipped", "then loop protection");
    assert!(runs[0]["steps"][0]["detail"].as_str().unwrap().contains("Loop protection"));
    // The contact-level rule acted on the contact's conversation.
    assert_eq!(w.conversation().await["labels"], json!(["eco"]));
    assert_eq!(w.contact().await["tags"], json!(["ping"]));
}

#[tokio::test]
async fn no_reply_fires_only_when_nobody_answered() {
    let w = world().await;
    let rule = w
        .rule(json!({
            "name": "Sem resposta",
            "trigger": {"type": "no_reply", "minutes": 15},
            "conditions": [{"type": "assignment", "state": "unassigned"}],
            "actions": [{"type": "add_label", "label": "atrasado"}, {"type": "assign_team"}],
        }))
        .await;

    w.customer_says("Alguém aí?").await;
    w.customer_says("?").await;
    assert!(w.runs(&rule).await.is_empty(), "the wait is not over");
    w.make_due("automation.no_reply").await;
    let runs = w.runs(&rule).await;
    assert_eq!(runs.len(), 1, "one run for the waiting customer, not one per message");
    assert_eq!(runs[0]["trigger"], "no_reply");
    assert_eq!(w.conversation().await["labels"], json!(["atrasado"]));

    // Next time a teammate answers in time: nothing.
    w.customer_says("Oi de novo").await;
    let id = w.conversation().await["id"].as_str().unwrap().to_owned();
    let sent = w
        .owner
        .session
        .post(
            &format!("/api/v1/conversations/{id}/messages"),
            json!({"text": "Olá! Como posso ajudar?"}),
        )
        .await;
    assert_eq!(sent.status(), StatusCode::CREATED, "{}", sent.text().await.unwrap());
    w.app.drain_jobs().await;
    w.make_due("automation.no_reply").await;
    assert_eq!(w.runs(&rule).await.len(), 1);
}

#[tokio::test]
async fn new_conversations_are_assigned_and_stop_words_opt_out_and_close() {
    let w = world().await;
    let agent = w.app.add_member(&w.owner, "agent").await;
    w.rule(json!({
        "name": "Novos para a Carla",
        "trigger": {"type": "conversation_created"},
        "actions": [{"type": "assign_agent", "user_id": agent.user_id}],
    }))
    .await;
    let closing = w
        .rule(json!({
            "name": "Descadastro",
            "trigger": {"type": "keyword", "keywords": ["não quero mais"]},
            "actions": [{"type": "opt_out"}, {"type": "close"}],
        }))
        .await;

    w.customer_says("Olá").await;
    assert_eq!(w.conversation().await["assignee_id"], agent.user_id.to_string());
    w.customer_says("Oi de novo").await;
    let thread = w.thread().await;
    let assigned: Vec<_> = thread.iter().filter(|m| m["payload"]["action"] == "assigned").collect();
    assert_eq!(assigned.len(), 1, "only the first message starts a conversation");

    w.customer_says("NAO QUERO MAIS receber nada").await;
    assert_eq!(w.conversation().await["status"], "resolved");
    assert_eq!(w.contact().await["opted_out"], true);
    assert_eq!(w.runs(&closing).await[0]["outcome"], "done");
}

#[tokio::test]
async fn the_webhook_action_posts_the_event_signed() {
    type Seen = Arc<Mutex<Vec<(Option<String>, Vec<u8>)>>>;
    let seen: Seen = Arc::default();
    let receiver = {
        let seen = seen.clone();
        axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let seen = seen.clone();
                async move {
                    let signature = headers
                        .get("x-master-ia-signature")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    seen.lock().unwrap().push((signature, body.to_vec()));
                    "ok"
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, receiver).await.unwrap() });

    let w = world().await;
    let rule = w
        .rule(json!({
            "name": "CRM",
            "trigger": {"type": "message_received"},
            "actions": [{"type": "webhook", "url": format!("http://{address}/hook")}],
        }))
        .await;
    w.customer_says("Quero um orçamento").await;

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let (signature, body) = &seen[0];
    let secret: Value =
        w.owner.session.get("/api/v1/automation-rules/webhook-secret").await.json().await.unwrap();
    let expected = server::automation::timers::signature(secret["secret"].as_str().unwrap(), body);
    assert_eq!(signature.as_deref(), Some(expected.as_str()));
    let event: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(event["rule"]["id"], rule.as_str());
    assert_eq!(event["event"]["type"], "message_received");
    assert_eq!(event["event"]["text"], "Quero um orçamento");
    assert_eq!(event["contact"]["phone"], format!("+{CUSTOMER}"));
}

#[tokio::test]
async fn rules_are_validated_and_kept_to_their_company() {
    let w = world().await;
    let post = |body: Value| {
        let session = w.owner.session.clone();
        async move { session.post("/api/v1/automation-rules", body).await }
    };
    let field_of = |response: reqwest::Response| async move {
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "validation_failed");
        body["error"]["field"].as_str().unwrap_or_default().to_owned()
    };
    let base = |conditions: Value, actions: Value| {
        json!({"name": "R", "trigger": {"type": "message_received"},
            "conditions": conditions, "actions": actions})
    };
    let close = json!([{"type": "close"}]);
    assert_eq!(
        field_of(
            post(base(json!([{"type": "text_matches", "pattern": "(unclosed"}]), close.clone()))
                .await
        )
        .await,
        "conditions[0].pattern"
    );
    assert_eq!(
        field_of(
            post(base(
                json!([]),
                json!([{"type": "assign_agent", "user_id": uuid::Uuid::new_v4()}])
            ))
            .await
        )
        .await,
        "actions[0].user_id"
    );
    assert_eq!(field_of(post(base(json!([]), json!([]))).await).await, "actions");
    assert_eq!(
        field_of(post(json!({"name": "R", "trigger": {"type": "keyword", "keywords": [" "]}, "actions": close})).await)
            .await,
        "trigger.keywords"
    );
    assert_eq!(
        field_of(post(json!({"name": "R", "trigger": {"type": "no_reply", "minutes": 0}, "actions": close})).await)
            .await,
        "trigger.minutes"
    );
    assert_eq!(
        field_of(post(base(json!([]), json!([{"type": "webhook", "url": "ftp://x"}]))).await).await,
        "actions[0].url"
    );
    let unknown =
        post(json!({"name": "R", "trigger": {"type": "tuesday"}, "actions": close})).await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST, "an unknown trigger is a client error");

    let rule = w.rule(base(json!([]), close.clone())).await;
    // Agents read rules but do not change them.
    let agent = w.app.add_member(&w.owner, "agent").await;
    assert_eq!(agent.session.get("/api/v1/automation-rules").await.status(), StatusCode::OK);
    let forbidden =
        agent.session.post("/api/v1/automation-rules", base(json!([]), close.clone())).await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    // Another company sees nothing of it.
    let other = w.app.verified_user("Outra Loja").await;
    let path = format!("/api/v1/automation-rules/{rule}");
    assert_eq!(other.session.get(&path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(other.session.delete(&path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(other.session.get(&format!("{path}/runs")).await.status(), StatusCode::NOT_FOUND);
    let listed: Value = other.session.get("/api/v1/automation-rules").await.json().await.unwrap();
    assert_eq!(listed, json!([]));
    assert_eq!(w.owner.session.delete(&path).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(w.owner.session.get(&path).await.status(), StatusCode::NOT_FOUND);
}
