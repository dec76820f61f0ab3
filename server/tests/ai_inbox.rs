//! AI personas answering in the inbox, end to end: customers write through the fake Graph API
//! (Meta's spec checked), the persona answers through the fake OpenAI-compatible server
//! (OpenAI's spec checked) from a knowledge base, on SQLite and PostgreSQL + pgvector.
//! Covers: the answer cites its source and goes out through WhatsApp; handoff when the customer
//! asks for a person (message to the customer, activity line, live notice, team queue); never
//! while a teammate has the conversation or after a teammate replied; bursts get one answer;
//! provider failures go to people with the reason and lose nothing; resolved conversations are
//! not answered and come back to the persona when the customer writes again; `max_turns`;
//! deleting a persona; other companies' personas are refused.

mod common;

use common::{received_events, TestApp, TestUser};
use fakes::{
    ai::FailureSpec,
    graph::{FakeGraph, FakeGraphConfig, PhoneNumber},
    openai::{FakeOpenAi, FakeOpenAiConfig},
};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use shared::ServerEvent;

const KEY: &str = "sk-test-0123456789abcd";
const PHONE_NUMBER_ID: &str = "106540352242922";
const CUSTOMER: &str = "5511987654321";

const POLICIES: &str = "# Entregas\n\n\
Enviamos para todo o Brasil pelos Correios e por transportadora.\n\n\
## Prazos\n\n\
O prazo de entrega é de 3 a 5 dias úteis para capitais e até 10 dias úteis para o interior.\n\n\
# Trocas\n\n\
Trocas e devoluções podem ser pedidas em até 7 dias depois do recebimento, com a nota fiscal.\n";

struct World {
    app: TestApp,
    graph: FakeGraph,
    ai: FakeOpenAi,
    owner: TestUser,
    connection: String,
    persona: String,
}

async fn world() -> World {
    world_with(0, json!({})).await
}

/// `delay_ms`: how long the persona waits for more messages; `handoff`: the persona's policy.
async fn world_with(delay_ms: u64, handoff: Value) -> World {
    let graph = FakeGraph::start(FakeGraphConfig::default()).await.expect("fake Graph starts");
    graph.add_phone_number(PhoneNumber {
        id: PHONE_NUMBER_ID.into(),
        display_phone_number: "+55 11 4000-0000".into(),
        verified_name: "Loja Azul".into(),
        quality_rating: "GREEN".into(),
        access_token: "EAAG-test-token".into(),
        waba_id: "102290129340398".into(),
    });
    let ai = FakeOpenAi::start(FakeOpenAiConfig::default()).await.expect("fake OpenAI starts");
    ai.add_api_key(KEY);
    let (mut config, data_dir) = common::test_config().await;
    config.graph_api_base = graph.base_url();
    config.ai_reply_delay_ms = delay_ms;
    let app = common::spawn_with(config, data_dir).await;
    let owner = app.verified_user("Loja Azul").await;
    let connection = app.cloud_connection(&owner, PHONE_NUMBER_ID).await;
    graph.set_webhook(app.url(&connection.webhook_path), connection.app_secret.clone());

    let base: Value = owner
        .session
        .post(
            "/api/v1/knowledge-bases",
            json!({"name": "Políticas", "embedding": {"provider": "openai",
                   "model": "text-embedding-3-small", "base_url": ai.base_url(), "api_key": KEY}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let base = base["id"].as_str().expect("base id").to_owned();
    let document = owner
        .session
        .post(
            &format!("/api/v1/knowledge-bases/{base}/documents"),
            json!({"title": "Política de entregas", "text": POLICIES}),
        )
        .await;
    assert_eq!(document.status(), StatusCode::CREATED, "{}", document.text().await.unwrap());
    app.drain_jobs().await;

    let mut persona = json!({"name": "Bia", "provider": "openai_compatible", "model": "gpt-4o-mini",
        "base_url": ai.base_url(), "api_key": KEY,
        "system_prompt": "Você é a Bia, atendente da Loja Azul.", "knowledge_base_id": base});
    if handoff.as_object().is_some_and(|h| !h.is_empty()) {
        persona["handoff"] = handoff;
    }
    let persona = owner.session.post("/api/v1/personas", persona).await;
    assert_eq!(persona.status(), StatusCode::CREATED, "{}", persona.text().await.unwrap());
    let persona: Value = persona.json().await.unwrap();
    let persona = persona["id"].as_str().unwrap().to_owned();

    let connection_id = connection.id.to_string();
    let patched = owner
        .session
        .patch(
            &format!("/api/v1/connections/{connection_id}"),
            json!({"default_persona_id": persona}),
        )
        .await;
    assert_eq!(patched.status(), StatusCode::OK, "{}", patched.text().await.unwrap());
    let patched: Value = patched.json().await.unwrap();
    assert_eq!(patched["default_persona_id"], persona.as_str());
    World { app, graph, ai, owner, connection: connection_id, persona }
}

impl World {
    /// The customer writes; every due job runs (webhook, the persona's answer, the send).
    async fn customer_says(&self, text: &str) {
        self.graph.emit_inbound_text(CUSTOMER, "Ana", text).await.expect("inbound webhook");
        self.app.drain_jobs().await;
    }

    async fn conversation(&self) -> Value {
        let list: Value =
            self.owner.session.get("/api/v1/conversations").await.json().await.unwrap();
        list["items"][0].clone()
    }

    async fn conversation_id(&self) -> String {
        self.conversation().await["id"].as_str().expect("a conversation").to_owned()
    }

    async fn thread(&self) -> Vec<Value> {
        let id = self.conversation_id().await;
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

    /// Texts sent to the customer through WhatsApp, in order.
    fn sent_texts(&self) -> Vec<String> {
        self.graph
            .sent_messages()
            .iter()
            .filter_map(|m| m.body["text"]["body"].as_str().map(str::to_owned))
            .collect()
    }

    fn chat_requests(&self) -> Vec<Value> {
        self.ai
            .requests()
            .into_iter()
            .filter(|r| r.path.ends_with("/chat/completions"))
            .map(|r| r.body)
            .collect()
    }

    async fn listed(&self, assignee: &str) -> Vec<String> {
        let list: Value = self
            .owner
            .session
            .get(&format!("/api/v1/conversations?assignee={assignee}"))
            .await
            .json()
            .await
            .unwrap();
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    }

    fn assert_faithful(&self) {
        assert!(self.ai.violations().is_empty(), "OpenAI spec: {:#?}", self.ai.violations());
        assert!(self.graph.violations().is_empty(), "Graph spec: {:#?}", self.graph.violations());
    }
}

fn activity_with(thread: &[Value], action: &str) -> Option<Value> {
    thread.iter().find(|m| m["kind"] == "activity" && m["payload"]["action"] == action).cloned()
}

#[tokio::test]
async fn a_persona_answers_from_the_knowledge_and_cites_the_source() {
    let w = world().await;
    w.customer_says("Qual o prazo de entrega para o interior?").await;

    let sent = w.sent_texts();
    assert_eq!(sent.len(), 1, "one answer: {sent:?}");
    assert!(sent[0].contains("10 dias úteis"), "answered from the policy: {}", sent[0]);

    let thread = w.thread().await;
    let answer = thread.iter().find(|m| m["direction"] == "out").expect("the answer in the thread");
    assert_eq!(answer["sent_by_user_id"], Value::Null);
    assert_eq!(answer["ai"]["persona_id"], w.persona.as_str());
    assert_eq!(answer["ai"]["persona_name"], "Bia");
    assert_eq!(answer["ai"]["sources"][0]["document_title"], "Política de entregas");
    assert!(answer["ai"]["sources"][0]["text"].as_str().unwrap().contains("10 dias úteis"));
    assert_eq!(answer["status"], "sent");

    // The model got the persona's prompt, the passage and the customer's question.
    let request = &w.chat_requests()[0];
    let prompt = request.to_string();
    assert!(prompt.contains("Você é a Bia") && prompt.contains("10 dias úteis"), "{prompt}");
    assert!(prompt.contains("Qual o prazo de entrega para o interior?"));

    // The persona has it: not in the team's queue, in the AI list.
    let conversation = w.conversation().await;
    assert_eq!(conversation["persona_id"], w.persona.as_str());
    assert_eq!(conversation["assignee_id"], Value::Null);
    let id = w.conversation_id().await;
    assert!(!w.listed("unassigned").await.contains(&id));
    assert!(w.listed("ai").await.contains(&id));
    w.assert_faithful();
}

#[tokio::test]
async fn asking_for_a_person_hands_the_conversation_to_the_team() {
    let w = world().await;
    w.customer_says("Qual o prazo de entrega para o interior?").await;
    let mut live = w.app.state.events.subscribe(w.owner.company_id);
    let chats_before = w.chat_requests().len();

    w.customer_says("Quero falar com um HUMANO, por favor").await;

    // No model call for it; the customer is told a person takes over.
    assert_eq!(w.chat_requests().len(), chats_before);
    let sent = w.sent_texts();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[1], "Vou chamar uma pessoa da nossa equipe para continuar o atendimento.");

    let thread = w.thread().await;
    let handoff = activity_with(&thread, "handoff").expect("an activity line says why");
    assert!(handoff["text"].as_str().unwrap().contains("asked for a person"), "{handoff}");
    let told = thread.iter().rfind(|m| m["direction"] == "out").unwrap();
    assert!(told["ai"]["handoff"].as_str().unwrap().contains("humano"));

    let conversation = w.conversation().await;
    assert_eq!(conversation["persona_id"], Value::Null);
    let id = w.conversation_id().await;
    assert!(w.listed("unassigned").await.contains(&id), "in the team's queue");
    let events = received_events(&mut live);
    assert!(
        events.iter().any(
            |e| matches!(&**e, ServerEvent::ConversationHandoff { conversation_id, reason, .. }
            if conversation_id.to_string() == id && reason.contains("humano"))
        ),
        "agents are told live"
    );

    // From now on people answer: the next message gets no AI reply.
    w.customer_says("Oi? Alguém aí?").await;
    assert_eq!(w.sent_texts().len(), 2);
    assert_eq!(w.chat_requests().len(), chats_before);
    w.assert_faithful();
}

#[tokio::test]
async fn no_ai_reply_while_a_teammate_has_the_conversation() {
    let w = world().await;
    w.customer_says("Oi").await;
    assert_eq!(w.sent_texts().len(), 1);
    // A greeting is answered, not handed off for want of knowledge about it.
    assert!(activity_with(&w.thread().await, "handoff").is_none());
    assert_eq!(w.conversation().await["persona_id"], w.persona.as_str());
    let id = w.conversation_id().await;

    // A teammate takes it: the AI stops.
    let claimed =
        w.owner.session.post(&format!("/api/v1/conversations/{id}/claim"), json!({})).await;
    assert_eq!(claimed.status(), StatusCode::OK);
    let claimed: Value = claimed.json().await.unwrap();
    assert_eq!(claimed["persona_id"], Value::Null);
    let chats = w.chat_requests().len();
    w.customer_says("Qual o prazo de entrega para o interior?").await;
    assert_eq!(w.chat_requests().len(), chats, "no model call");
    assert_eq!(w.sent_texts().len(), 1, "no AI answer");

    // Handed back to the persona, it reads the waiting question and answers it.
    let back = w
        .owner
        .session
        .patch(&format!("/api/v1/conversations/{id}"), json!({"persona_id": w.persona}))
        .await;
    assert_eq!(back.status(), StatusCode::OK, "{}", back.text().await.unwrap());
    let back: Value = back.json().await.unwrap();
    assert_eq!(back["assignee_id"], Value::Null);
    w.app.drain_jobs().await;
    let sent = w.sent_texts();
    assert_eq!(sent.len(), 2);
    assert!(sent[1].contains("10 dias úteis"), "{}", sent[1]);

    // A teammate replying (without taking it) also stops the AI.
    let reply = w
        .owner
        .session
        .post(
            &format!("/api/v1/conversations/{id}/messages"),
            json!({"text": "Oi Ana, aqui é a Maria."}),
        )
        .await;
    assert_eq!(reply.status(), StatusCode::CREATED);
    w.app.drain_jobs().await;
    assert_eq!(w.conversation().await["persona_id"], Value::Null);
    let chats = w.chat_requests().len();
    w.customer_says("Obrigada!").await;
    assert_eq!(w.chat_requests().len(), chats);
    assert_eq!(w.sent_texts().len(), 3, "the teammate's reply only");

    // Both a persona and a teammate at once is refused.
    let both = w
        .owner
        .session
        .patch(
            &format!("/api/v1/conversations/{id}"),
            json!({"persona_id": w.persona, "assignee_id": w.owner.user_id}),
        )
        .await;
    assert_eq!(both.status(), StatusCode::BAD_REQUEST);
    w.assert_faithful();
}

#[tokio::test]
async fn a_burst_of_messages_gets_one_answer() {
    let w = world_with(60_000, json!({})).await;
    let mut waits = Vec::new();
    for text in ["Oi", "tudo bem?", "Qual o prazo de entrega para o interior?"] {
        w.customer_says(text).await;
        // One answer waits, and each message pushes it back.
        let pending = ai_reply_jobs(&w.app).await;
        assert_eq!(pending.len(), 1, "one answer for the whole burst");
        waits.push(pending[0].run_at);
    }
    assert!(waits.windows(2).all(|w| w[1] >= w[0]), "{waits:?}");
    assert!(w.sent_texts().is_empty(), "still waiting for the customer to finish");
    assert!(w.chat_requests().is_empty());

    // The wait is over (as if a minute passed).
    server::db::entities::jobs::Entity::update_many()
        .col_expr(
            server::db::entities::jobs::Column::RunAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now()),
        )
        .filter(server::db::entities::jobs::Column::Kind.eq("ai.reply"))
        .exec(&w.app.state.db)
        .await
        .unwrap();
    w.app.drain_jobs().await;
    let sent = w.sent_texts();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("10 dias úteis"), "{}", sent[0]);
    let requests = w.chat_requests();
    assert_eq!(requests.len(), 1);
    let asked = requests[0].to_string();
    assert!(asked.contains("tudo bem?") && asked.contains("Qual o prazo"), "all of it: {asked}");
    w.assert_faithful();
}

async fn ai_reply_jobs(app: &TestApp) -> Vec<server::db::entities::jobs::Model> {
    use server::db::entities::jobs;
    jobs::Entity::find()
        .filter(jobs::Column::Kind.eq("ai.reply"))
        .filter(jobs::Column::Status.eq("pending"))
        .all(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_failing_provider_sends_the_conversation_to_people_with_the_reason() {
    let w = world().await;
    w.ai.fail_next("/chat/completions", FailureSpec::rate_limited(30), 1);
    let mut live = w.app.state.events.subscribe(w.owner.company_id);
    w.customer_says("Qual o prazo de entrega para o interior?").await;

    assert!(w.sent_texts().is_empty(), "nothing sent to the customer");
    let thread = w.thread().await;
    let question = thread.iter().find(|m| m["direction"] == "in").expect("the question is kept");
    assert_eq!(question["text"], "Qual o prazo de entrega para o interior?");
    let handoff = activity_with(&thread, "handoff").expect("the reason is in the thread");
    let reason = handoff["payload"]["reason"].as_str().unwrap();
    assert!(reason.contains("AI could not answer"), "{reason}");
    let conversation = w.conversation().await;
    assert_eq!(conversation["persona_id"], Value::Null);
    assert_eq!(conversation["unread_count"], 1, "still unread for whoever picks it up");
    assert!(received_events(&mut live)
        .iter()
        .any(|e| matches!(&**e, ServerEvent::ConversationHandoff { .. })));

    // A refused key is said as such.
    let w = world().await;
    w.ai.fail_next("/chat/completions", FailureSpec::unauthorized(), 1);
    w.customer_says("Qual o prazo de entrega para o interior?").await;
    let reason = activity_with(&w.thread().await, "handoff").unwrap()["payload"]["reason"].clone();
    assert!(reason.as_str().unwrap().contains("API key"), "{reason}");
    w.assert_faithful();
}

#[tokio::test]
async fn a_resolved_conversation_is_left_alone_and_comes_back_to_the_persona() {
    let w = world().await;
    w.customer_says("Qual o prazo de entrega para o interior?").await;
    let id = w.conversation_id().await;
    let resolved = w
        .owner
        .session
        .patch(&format!("/api/v1/conversations/{id}"), json!({"status": "resolved"}))
        .await;
    assert_eq!(resolved.status(), StatusCode::OK);
    // Statuses of the persona's own message change nothing.
    let wamid = w.graph.sent_messages()[0].wamid.clone();
    w.graph.emit_status(&wamid, fakes::graph::StatusUpdate::Read).await.unwrap();
    w.app.drain_jobs().await;
    assert_eq!(w.sent_texts().len(), 1);
    assert_eq!(w.conversation().await["status"], "resolved");

    // The customer writes again: reopened, the persona answers once.
    w.customer_says("E as trocas e devoluções, como funcionam?").await;
    let conversation = w.conversation().await;
    assert_eq!(conversation["status"], "open");
    assert_eq!(
        conversation["persona_id"],
        w.persona.as_str(),
        "{conversation:#} {:#?}",
        w.thread().await
    );
    let sent = w.sent_texts();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[1].contains("7 dias"), "{}", sent[1]);
    w.app.drain_jobs().await;
    assert_eq!(w.sent_texts().len(), 2, "no loop");
    w.assert_faithful();
}

#[tokio::test]
async fn after_max_turns_the_persona_hands_off() {
    let w = world_with(0, json!({"max_turns": 1})).await;
    w.customer_says("Qual o prazo de entrega para o interior?").await;
    w.customer_says("E as trocas e devoluções, como funcionam?").await;
    let sent = w.sent_texts();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[1], "Vou chamar uma pessoa da nossa equipe para continuar o atendimento.");
    let handoff = activity_with(&w.thread().await, "handoff").unwrap();
    assert!(handoff["payload"]["reason"].as_str().unwrap().contains("answered 1 times"));
    assert_eq!(w.conversation().await["persona_id"], Value::Null);
}

#[tokio::test]
async fn deleting_a_persona_gives_its_conversations_to_people() {
    let w = world().await;
    w.customer_says("Oi").await;
    let deleted = w.owner.session.delete(&format!("/api/v1/personas/{}", w.persona)).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(w.conversation().await["persona_id"], Value::Null);
    assert!(activity_with(&w.thread().await, "handoff").is_some());
    let connection: Value = w
        .owner
        .session
        .get(&format!("/api/v1/connections/{}", w.connection))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(connection["default_persona_id"], Value::Null);
}

#[tokio::test]
async fn a_number_takes_only_its_own_companys_personas() {
    let w = world().await;
    let other = w.app.verified_user("Outra Loja").await;
    let theirs = other
        .session
        .post(
            "/api/v1/personas",
            json!({"name": "Zé", "provider": "ollama", "model": "llama3.1",
                   "system_prompt": "Oi", "base_url": w.ai.base_url()}),
        )
        .await;
    assert_eq!(theirs.status(), StatusCode::CREATED, "{}", theirs.text().await.unwrap());
    let theirs: Value = theirs.json().await.unwrap();
    let refused = w
        .owner
        .session
        .patch(
            &format!("/api/v1/connections/{}", w.connection),
            json!({"default_persona_id": theirs["id"]}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(common::error_code(refused).await, "validation_failed");

    // `null` switches the AI off for new conversations.
    let cleared = w
        .owner
        .session
        .patch(
            &format!("/api/v1/connections/{}", w.connection),
            json!({"default_persona_id": null}),
        )
        .await;
    assert_eq!(cleared.status(), StatusCode::OK);
    w.customer_says("Oi").await;
    assert!(w.sent_texts().is_empty());
    assert_eq!(w.conversation().await["persona_id"], Value::Null);
}

#[tokio::test]
async fn agents_get_a_drafted_reply_and_a_summary_and_nothing_is_sent() {
    let w = world().await;
    w.customer_says("Oi").await;
    let id = w.conversation_id().await;
    let agent = w.app.add_member(&w.owner, "agent").await;
    let claimed = agent.session.post(&format!("/api/v1/conversations/{id}/claim"), json!({})).await;
    assert_eq!(claimed.status(), StatusCode::OK);
    w.customer_says("Qual o prazo de entrega para o interior?").await;
    let sent_before = w.sent_texts().len();

    let draft =
        agent.session.post(&format!("/api/v1/conversations/{id}/assist/reply"), json!({})).await;
    assert_eq!(draft.status(), StatusCode::OK, "{}", draft.text().await.unwrap());
    let draft: Value = draft.json().await.unwrap();
    assert!(draft["text"].as_str().unwrap().contains("10 dias úteis"), "{draft}");
    assert_eq!(draft["sources"][0]["document_title"], "Política de entregas");
    assert_eq!(draft["persona_name"], "Bia");
    let asked = w.chat_requests().last().unwrap().to_string();
    assert!(asked.contains("Customer: Qual o prazo de entrega para o interior?"), "{asked}");
    assert!(asked.contains("drafting the next message"), "{asked}");

    let summary =
        agent.session.post(&format!("/api/v1/conversations/{id}/assist/summary"), json!({})).await;
    assert_eq!(summary.status(), StatusCode::OK, "{}", summary.text().await.unwrap());
    let summary: Value = summary.json().await.unwrap();
    assert!(!summary["text"].as_str().unwrap().trim().is_empty());
    assert_eq!(summary["sources"], json!([]));
    let asked = w.chat_requests().last().unwrap().to_string();
    assert!(asked.contains("Summarise") && asked.contains("Customer: Oi"), "{asked}");

    assert_eq!(w.sent_texts().len(), sent_before, "assist never sends");
    assert_eq!(w.conversation().await["assignee_id"], agent.user_id.to_string());

    // A provider failure is a clear 502; another company's conversation is not found.
    w.ai.fail_next("/chat/completions", FailureSpec::unauthorized(), 1);
    let failed =
        agent.session.post(&format!("/api/v1/conversations/{id}/assist/reply"), json!({})).await;
    assert_eq!(failed.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(common::error_code(failed).await, "provider_error");
    let stranger = w.app.verified_user("Outra Loja").await;
    let hidden = stranger
        .session
        .post(&format!("/api/v1/conversations/{id}/assist/summary"), json!({}))
        .await;
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);

    // Without any persona there is no one to ask.
    let deleted = w.owner.session.delete(&format!("/api/v1/personas/{}", w.persona)).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let nobody =
        agent.session.post(&format!("/api/v1/conversations/{id}/assist/reply"), json!({})).await;
    assert_eq!(nobody.status(), StatusCode::CONFLICT);
    assert_eq!(common::error_code(nobody).await, "invalid_state");
    w.assert_faithful();
}

#[tokio::test]
async fn outside_its_working_hours_the_persona_leaves_the_conversation_to_people() {
    use chrono::Datelike;
    let w = world().await;
    // Hours only on another day of the week than today (in the company's time zone).
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::America::Sao_Paulo)
        .weekday()
        .number_from_monday();
    let other_day = today % 7 + 1;
    let patched = w
        .owner
        .session
        .patch(
            &format!("/api/v1/personas/{}", w.persona),
            json!({"working_hours": [{"days": [other_day], "start": "00:00", "end": "24:00"}]}),
        )
        .await;
    assert_eq!(patched.status(), StatusCode::OK, "{}", patched.text().await.unwrap());
    w.customer_says("Qual o prazo de entrega para o interior?").await;
    assert!(w.sent_texts().is_empty(), "no answer outside its hours");
    assert!(w.chat_requests().is_empty());
    let handoff = activity_with(&w.thread().await, "handoff").unwrap();
    assert!(handoff["payload"]["reason"].as_str().unwrap().contains("working hours"), "{handoff}");
    assert_eq!(w.conversation().await["persona_id"], Value::Null);

    // Bad windows are refused with the field.
    let refused = w
        .owner
        .session
        .patch(
            &format!("/api/v1/personas/{}", w.persona),
            json!({"working_hours": [{"days": [8], "start": "18:00", "end": "09:00"}]}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_automation_rule_sends_the_conversation_to_the_ai() {
    let w = world().await;
    // The number has no persona of its own: the rule decides.
    let cleared = w
        .owner
        .session
        .patch(
            &format!("/api/v1/connections/{}", w.connection),
            json!({"default_persona_id": null}),
        )
        .await;
    assert_eq!(cleared.status(), StatusCode::OK);
    let rule = w
        .owner
        .session
        .post(
            "/api/v1/automation-rules",
            json!({"name": "Entregas para a Bia", "trigger": {"type": "keyword", "keywords": ["entrega"]},
                "actions": [{"type": "send_to_ai", "persona_id": w.persona}]}),
        )
        .await;
    assert_eq!(rule.status(), StatusCode::CREATED, "{}", rule.text().await.unwrap());

    w.customer_says("Oi").await;
    assert!(w.sent_texts().is_empty(), "people answer this one");
    assert_eq!(w.conversation().await["persona_id"], Value::Null);

    w.customer_says("Qual o prazo de entrega para o interior?").await;
    assert_eq!(w.conversation().await["persona_id"], w.persona.as_str());
    let sent = w.sent_texts();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("10 dias úteis"), "answered from the policy: {}", sent[0]);
    let thread = w.thread().await;
    let line = activity_with(&thread, "persona").expect("an activity line");
    assert!(
        line["text"].as_str().unwrap().starts_with("Automation “Entregas para a Bia”"),
        "{line}"
    );
    w.assert_faithful();
}
