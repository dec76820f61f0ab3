//! AI personas and knowledge bases end to end against the fake OpenAI-compatible server (which
//! checks every request against OpenAI's OpenAPI document), on SQLite and on PostgreSQL with
//! pgvector: documents of every kind are indexed and the right passage is found for a known
//! question, a persona answers from it and cites it, hands off when asked for a person or when
//! it knows nothing, provider failures come back as clear errors, edits re-index, deletes clean
//! up, and one company never sees another's knowledge.

mod common;

use std::time::Duration;

use common::{error_code, TestApp, TestUser};
use fakes::{
    ai::FailureSpec,
    openai::{FakeOpenAi, FakeOpenAiConfig},
};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use server::db::entities::{knowledge_chunks, personas};

const KEY: &str = "sk-test-0123456789abcd";

const POLICIES: &str = "# Entregas\n\n\
Enviamos para todo o Brasil pelos Correios e por transportadora.\n\n\
## Prazos\n\n\
O prazo de entrega é de 3 a 5 dias úteis para capitais e até 10 dias úteis para o interior.\n\n\
# Trocas\n\n\
Trocas e devoluções podem ser pedidas em até 7 dias depois do recebimento, com a nota fiscal.\n\n\
# Garantia\n\n\
Todos os aparelhos têm garantia de 12 meses contra defeitos de fabricação.\n";

struct World {
    app: TestApp,
    fake: FakeOpenAi,
    owner: TestUser,
}

async fn world() -> World {
    let fake = FakeOpenAi::start(FakeOpenAiConfig::default()).await.expect("fake OpenAI starts");
    fake.add_api_key(KEY);
    let app = common::spawn_app().await;
    let owner = app.verified_user("Loja Azul").await;
    World { app, fake, owner }
}

impl World {
    async fn base(&self, user: &TestUser, name: &str) -> Value {
        let response = user
            .session
            .post(
                "/api/v1/knowledge-bases",
                json!({"name": name, "embedding": {"provider": "openai", "model": "text-embedding-3-small",
                       "base_url": self.fake.base_url(), "api_key": KEY}}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }

    async fn upload(&self, base: &str, filename: &str, content_type: &str, body: Vec<u8>) -> Value {
        let response = self
            .owner
            .session
            .upload(
                &format!("/api/v1/knowledge-bases/{base}/documents?filename={filename}"),
                content_type,
                body,
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }

    async fn add_json(&self, base: &str, body: Value) -> Value {
        let response = self
            .owner
            .session
            .post(&format!("/api/v1/knowledge-bases/{base}/documents"), body)
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }

    async fn documents(&self, base: &str) -> Vec<Value> {
        let response =
            self.owner.session.get(&format!("/api/v1/knowledge-bases/{base}/documents")).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    async fn search(&self, base: &str, query: &str) -> Vec<Value> {
        let response = self
            .owner
            .session
            .post(&format!("/api/v1/knowledge-bases/{base}/search"), json!({"query": query}))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }

    async fn persona(&self, base: Option<&str>) -> Value {
        let response = self
            .owner
            .session
            .post(
                "/api/v1/personas",
                json!({"name": "Bia", "provider": "openai_compatible", "model": "gpt-4o-mini",
                       "base_url": self.fake.base_url(), "api_key": KEY,
                       "system_prompt": "Você é a Bia, atendente da Loja Azul.",
                       "temperature": 0.2, "max_tokens": 300, "knowledge_base_id": base}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }

    async fn chat(&self, persona: &str, question: &str) -> (StatusCode, Value) {
        let response = self
            .owner
            .session
            .post(
                &format!("/api/v1/personas/{persona}/chat"),
                json!({"messages": [{"role": "user", "text": "Oi"},
                                    {"role": "assistant", "text": "Olá! Como posso ajudar?"},
                                    {"role": "user", "text": question}]}),
            )
            .await;
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    fn assert_faithful(&self) {
        let violations = self.fake.violations();
        assert!(violations.is_empty(), "requests outside OpenAI's spec: {violations:#?}");
    }
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

/// A one-page PDF whose text layer holds `lines` (ASCII), with a correct cross-reference table.
fn tiny_pdf(lines: &[&str]) -> Vec<u8> {
    let mut content = String::from("BT /F1 12 Tf 72 720 Td 14 TL\n");
    for line in lines {
        content.push_str(&format!("({}) Tj T*\n", line.replace('(', "\\(").replace(')', "\\)")));
    }
    content.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_owned(),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{object}\nendobj\n", i + 1));
    }
    let xref = pdf.len();
    pdf.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for offset in offsets {
        pdf.push_str(&format!("{offset:010} 00000 n \n"));
    }
    pdf.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf.into_bytes()
}

#[tokio::test]
async fn documents_of_every_kind_are_indexed_and_the_right_passage_is_found() {
    let w = world().await;
    let base = id(&w.base(&w.owner, "Políticas").await);

    let markdown =
        w.upload(&base, "politicas.md", "text/markdown", POLICIES.as_bytes().to_vec()).await;
    assert_eq!(markdown["status"], "queued");
    assert_eq!(markdown["kind"], "markdown");
    assert_eq!(markdown["title"], "politicas");
    let pdf = tiny_pdf(&[
        "Manual do aparelho X200.",
        "Para ligar o X200 segure o botao lateral por cinco segundos.",
    ]);
    w.upload(&base, "manual-x200.pdf", "application/pdf", pdf).await;
    w.upload(
        &base,
        "lojas.txt",
        "text/plain",
        "Nossa loja física fica na Rua Augusta, 100, em São Paulo, aberta de segunda a sábado."
            .as_bytes()
            .to_vec(),
    )
    .await;
    w.add_json(
        &base,
        json!({"title": "Perguntas frequentes", "faq": [
            {"question": "Vocês aceitam Pix?", "answer": "Sim, Pix com 5% de desconto."},
            {"question": "Posso parcelar no cartão?", "answer": "Em até 10 vezes sem juros."},
        ]}),
    )
    .await;
    w.app.drain_jobs().await;

    let documents = w.documents(&base).await;
    assert_eq!(documents.len(), 4);
    for document in &documents {
        assert_eq!(document["status"], "ready", "{document}");
        assert!(document["chunks_total"].as_u64().unwrap() >= 1);
        assert_eq!(document["chunks_done"], document["chunks_total"]);
        assert!(document["error"].is_null());
    }
    let listed: Vec<Value> =
        w.owner.session.get("/api/v1/knowledge-bases").await.json().await.unwrap();
    assert_eq!(listed[0]["documents"], 4);
    assert_eq!(listed[0]["indexing"], 0);
    assert!(listed[0]["chunks"].as_u64().unwrap() >= 7, "{}", listed[0]);
    assert_eq!(listed[0]["has_api_key"], true);

    let hits = w.search(&base, "Qual o prazo de entrega para o interior?").await;
    assert_eq!(hits[0]["document_title"], "politicas", "{hits:#?}");
    assert!(hits[0]["text"].as_str().unwrap().starts_with("Entregas › Prazos\n"), "{hits:#?}");
    assert!(hits[0]["score"].as_f64().unwrap() > hits[1]["score"].as_f64().unwrap());

    let hits = w.search(&base, "Aceitam pix?").await;
    assert_eq!(hits[0]["document_title"], "Perguntas frequentes");
    assert!(hits[0]["text"].as_str().unwrap().contains("5% de desconto"));

    let hits = w.search(&base, "como ligar o X200").await;
    assert_eq!(hits[0]["document_title"], "manual-x200", "the PDF's text was read: {hits:#?}");

    let hits = w.search(&base, "Onde fica a loja física?").await;
    assert_eq!(hits[0]["document_title"], "lojas");

    // The document reads back with its text; FAQ documents with their entries.
    let detail: Value = w
        .owner
        .session
        .get(&format!("/api/v1/knowledge-bases/{base}/documents/{}", id(&markdown)))
        .await
        .json()
        .await
        .unwrap();
    assert!(detail["text"].as_str().unwrap().contains("3 a 5 dias úteis"));
    w.assert_faithful();
}

#[tokio::test]
async fn a_persona_answers_from_its_knowledge_cites_it_and_hands_off() {
    let w = world().await;
    let base = id(&w.base(&w.owner, "Políticas").await);
    w.upload(&base, "politicas.md", "text/markdown", POLICIES.as_bytes().to_vec()).await;
    w.app.drain_jobs().await;
    let persona = w.persona(Some(&base)).await;
    assert_eq!(persona["has_api_key"], true);
    assert_eq!(persona["api_key_hint"], "…abcd");
    let persona = id(&persona);

    let (status, reply) = w.chat(&persona, "Qual o prazo de entrega para o interior?").await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert!(reply["handoff"].is_null());
    let sources = reply["sources"].as_array().unwrap();
    assert_eq!(sources[0]["document_title"], "politicas");
    assert!(sources[0]["text"].as_str().unwrap().contains("10 dias úteis"));
    // The fake answers from the passage of its prompt closest to the question: that the reply
    // quotes it proves the passage reached the model.
    assert!(reply["reply"].as_str().unwrap().contains("10 dias úteis"), "{reply}");
    let chat = w
        .fake
        .requests()
        .into_iter()
        .rfind(|r| r.path.ends_with("/chat/completions"))
        .expect("a chat call");
    let messages = chat.body["messages"].as_array().unwrap();
    assert_eq!(messages[0]["role"], "system");
    // rig sends the system message as content parts (the spec allows a string or parts).
    let system = messages[0]["content"][0]["text"].as_str().unwrap();
    assert!(system.starts_with("Você é a Bia, atendente da Loja Azul."), "{system}");
    assert!(system.contains("[1] (politicas) Entregas › Prazos"), "{system}");
    assert_eq!(messages.len(), 4, "system + the three turns");
    assert_eq!(messages[3]["content"], "Qual o prazo de entrega para o interior?");
    assert_eq!(chat.body["temperature"], 0.2);
    assert_eq!(chat.body["model"], "gpt-4o-mini");

    // Asking for a person hands off without calling the model.
    let calls = w.fake.requests().len();
    let (status, reply) = w.chat(&persona, "quero falar com um HUMANO").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        reply["reply"],
        "Vou chamar uma pessoa da nossa equipe para continuar o atendimento."
    );
    assert!(reply["handoff"].as_str().unwrap().contains("humano"), "{reply}");
    assert_eq!(w.fake.requests().len(), calls, "no provider call for a handoff");

    // A question the knowledge does not cover hands off instead of guessing.
    let (_, reply) = w.chat(&persona, "Qual a capital da Mongólia?").await;
    assert!(reply["handoff"].as_str().unwrap().contains("nothing about"), "{reply}");
    w.assert_faithful();
}

#[tokio::test]
async fn provider_failures_come_back_as_clear_errors_and_indexing_can_be_retried() {
    let w = world().await;
    let base = id(&w.base(&w.owner, "Políticas").await);
    w.fake.fail_next("/embeddings", FailureSpec::unauthorized(), 1);
    let document =
        w.upload(&base, "politicas.md", "text/markdown", POLICIES.as_bytes().to_vec()).await;
    w.app.drain_jobs().await;
    let failed = &w.documents(&base).await[0];
    assert_eq!(failed["status"], "failed");
    assert!(failed["error"].as_str().unwrap().contains("API key"), "{failed}");

    let response = w
        .owner
        .session
        .post(
            &format!("/api/v1/knowledge-bases/{base}/documents/{}/reindex", id(&document)),
            json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    w.app.drain_jobs().await;
    assert_eq!(w.documents(&base).await[0]["status"], "ready");

    let persona = id(&w.persona(Some(&base)).await);
    w.fake.fail_next("/chat/completions", FailureSpec::rate_limited(3), 1);
    let (status, body) = w.chat(&persona, "Qual o prazo de entrega?").await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    assert_eq!(body["error"]["code"], "provider_error");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("The AI could not answer"),
        "{body}"
    );

    // A wrong key is named as such.
    let response = w
        .owner
        .session
        .patch(&format!("/api/v1/personas/{persona}"), json!({"api_key": "sk-wrong-key-9999"}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let (status, body) = w.chat(&persona, "Qual o prazo de entrega?").await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(body["error"]["message"].as_str().unwrap().to_lowercase().contains("key"), "{body}");

    // A slow provider times out instead of hanging the request.
    let fast = {
        let (mut config, dir) = common::test_config().await;
        config.ai_timeout_seconds = 1;
        common::spawn_with(config, dir).await
    };
    let user = fast.verified_user("Lenta").await;
    let response = user
        .session
        .post(
            "/api/v1/personas",
            json!({"name": "Lenta", "provider": "openai_compatible", "model": "gpt-4o-mini",
                   "base_url": w.fake.base_url(), "api_key": KEY}),
        )
        .await;
    let slow: Value = response.json().await.unwrap();
    w.fake.set_latency(Duration::from_millis(1_500));
    let response = user
        .session
        .post(
            &format!("/api/v1/personas/{}/chat", id(&slow)),
            json!({"messages": [{"role": "user", "text": "Oi"}]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("too long"), "{body}");
    w.fake.set_latency(Duration::ZERO);
}

#[tokio::test]
async fn edits_reindex_and_deletes_clean_up() {
    let w = world().await;
    let base = id(&w.base(&w.owner, "Políticas").await);
    let document =
        id(&w.upload(&base, "politicas.md", "text/markdown", POLICIES.as_bytes().to_vec()).await);
    w.app.drain_jobs().await;
    let persona = id(&w.persona(Some(&base)).await);

    let response = w
        .owner
        .session
        .patch(
            &format!("/api/v1/knowledge-bases/{base}/documents/{document}"),
            json!({"text": "# Entregas\n\nAgora entregamos em 24 horas com motoboy na capital."}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let edited: Value = response.json().await.unwrap();
    assert_eq!(edited["status"], "queued");
    w.app.drain_jobs().await;
    let hits = w.search(&base, "prazo de entrega motoboy").await;
    assert_eq!(hits.len(), 1, "the old passages are gone: {hits:#?}");
    assert!(hits[0]["text"].as_str().unwrap().contains("24 horas"));

    // A new embedding model re-indexes everything, and the stored key is kept when none is typed.
    let response = w
        .owner
        .session
        .patch(
            &format!("/api/v1/knowledge-bases/{base}"),
            json!({"embedding": {"provider": "openai", "model": "text-embedding-3-large",
                   "base_url": w.fake.base_url()}}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    assert_eq!(w.documents(&base).await[0]["status"], "queued");
    w.app.drain_jobs().await;
    assert_eq!(w.documents(&base).await[0]["status"], "ready");
    let embedded = w
        .fake
        .requests()
        .into_iter()
        .rfind(|r| r.path.ends_with("/embeddings"))
        .expect("an embedding call");
    assert_eq!(embedded.body["model"], "text-embedding-3-large");
    assert_eq!(w.search(&base, "prazo de entrega motoboy").await.len(), 1);

    let response = w
        .owner
        .session
        .delete(&format!("/api/v1/knowledge-bases/{base}/documents/{document}"))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let chunks = knowledge_chunks::Entity::find().all(&w.app.state.db).await.unwrap();
    assert!(chunks.is_empty(), "no passage outlives its document");

    w.upload(&base, "politicas.md", "text/markdown", POLICIES.as_bytes().to_vec()).await;
    w.app.drain_jobs().await;
    let response = w.owner.session.delete(&format!("/api/v1/knowledge-bases/{base}")).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(knowledge_chunks::Entity::find().all(&w.app.state.db).await.unwrap().is_empty());
    let persona: Value =
        w.owner.session.get(&format!("/api/v1/personas/{persona}")).await.json().await.unwrap();
    assert!(persona["knowledge_base_id"].is_null(), "the persona goes on without knowledge");
    let response = w.owner.session.get(&format!("/api/v1/knowledge-bases/{base}")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn personas_keep_their_keys_sealed_and_check_their_settings() {
    let w = world().await;
    let persona = w.persona(None).await;
    assert!(!persona.to_string().contains(KEY), "the key is never shown again");
    let row = personas::Entity::find()
        .filter(personas::Column::Name.eq("Bia"))
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.api_key.as_deref().is_some_and(|sealed| !sealed.contains(KEY)), "sealed at rest");

    let bad = [
        (json!({"name": "A", "provider": "openai"}), "api_key"),
        (json!({"name": "A", "provider": "openai_compatible", "model": "qwen2.5"}), "base_url"),
        (json!({"name": "A", "provider": "ollama", "temperature": 3.0}), "temperature"),
        (json!({"name": "A", "provider": "ollama", "max_tokens": 1}), "max_tokens"),
        (json!({"name": "A", "provider": "ollama", "language": "português"}), "language"),
        (json!({"name": " ", "provider": "ollama"}), "name"),
        (
            json!({"name": "A", "provider": "ollama", "knowledge_base_id": "0191d7a4-0000-7000-8000-000000000000"}),
            "knowledge_base_id",
        ),
        (
            json!({"name": "A", "provider": "ollama", "working_hours": [{"days": [9], "start": "08:00", "end": "18:00"}]}),
            "working_hours",
        ),
    ];
    for (body, field) in bad {
        let response = w.owner.session.post("/api/v1/personas", body.clone()).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["field"], field, "{body} → {error}");
    }
    let response = w
        .owner
        .session
        .post("/api/v1/personas", json!({"name": "Bia", "provider": "ollama"}))
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let response = w
        .owner
        .session
        .post("/api/v1/personas", json!({"name": "Bia", "provider": "nonsense"}))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // Ollama needs no key; removing a key is `api_key: ""`.
    let local: Value = w
        .owner
        .session
        .post(
            "/api/v1/personas",
            json!({"name": "Local", "provider": "ollama", "api_key": "x-123"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(local["model"], "llama3.1");
    let cleared: Value = w
        .owner
        .session
        .patch(&format!("/api/v1/personas/{}", id(&local)), json!({"api_key": ""}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cleared["has_api_key"], false);
    let response = w
        .owner
        .session
        .patch(&format!("/api/v1/personas/{}", id(&local)), json!({"provider": "openai"}))
        .await;
    assert_eq!(error_code(response).await, "validation_failed", "OpenAI needs a key");

    // Agents see personas and may try them, but not change them.
    let agent = w.app.add_member(&w.owner, "agent").await;
    let listed: Vec<Value> = agent.session.get("/api/v1/personas").await.json().await.unwrap();
    assert_eq!(listed.len(), 2);
    let response =
        agent.session.post("/api/v1/personas", json!({"name": "X", "provider": "ollama"})).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = agent.session.delete(&format!("/api/v1/personas/{}", id(&local))).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let response = w.owner.session.delete(&format!("/api/v1/personas/{}", id(&local))).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = w.owner.session.get(&format!("/api/v1/personas/{}", id(&local))).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_documents_are_refused_and_companies_never_see_each_other() {
    let w = world().await;
    let base = id(&w.base(&w.owner, "Políticas").await);
    let path = |name: &str| format!("/api/v1/knowledge-bases/{base}/documents?filename={name}");

    let response = w.owner.session.upload(&path("foto.jpg"), "image/jpeg", vec![0xFF, 0xD8]).await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let response = w.owner.session.upload(&path("vazio.txt"), "text/plain", b" \n ".to_vec()).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = w
        .owner
        .session
        .upload(&path("quebrado.pdf"), "application/pdf", b"%PDF-1.4 nada".to_vec())
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["field"], "file");
    let response = w
        .owner
        .session
        .post(
            &format!("/api/v1/knowledge-bases/{base}/documents"),
            json!({"title": "x", "text": "a", "faq": [{"question": "q", "answer": "a"}]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = w
        .owner
        .session
        .post(
            &format!("/api/v1/knowledge-bases/{base}/documents"),
            json!({"title": "x", "faq": [{"question": "Só pergunta", "answer": " "}]}),
        )
        .await;
    assert_eq!(error_code(response).await, "validation_failed");
    assert!(w.documents(&base).await.is_empty(), "nothing half-written");

    // Without an embedder of its own or a server default, a base cannot be made.
    let response = w.owner.session.post("/api/v1/knowledge-bases", json!({"name": "Sem"})).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["field"], "embedding");
    let response = w
        .owner
        .session
        .post(
            "/api/v1/knowledge-bases",
            json!({"name": "Políticas", "embedding": {"provider": "ollama"}}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);

    // Another company: 404 for everything of ours, and its own base searches only its own text.
    w.upload(&base, "politicas.md", "text/markdown", POLICIES.as_bytes().to_vec()).await;
    w.app.drain_jobs().await;
    let other = w.app.verified_user("Outra Loja").await;
    for path in [
        format!("/api/v1/knowledge-bases/{base}"),
        format!("/api/v1/knowledge-bases/{base}/documents"),
    ] {
        assert_eq!(other.session.get(&path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let response = other
        .session
        .post(&format!("/api/v1/knowledge-bases/{base}/search"), json!({"query": "prazo"}))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let theirs = id(&w.base(&other, "Deles").await);
    let response = other
        .session
        .post(
            &format!("/api/v1/knowledge-bases/{theirs}/search"),
            json!({"query": "prazo de entrega"}),
        )
        .await;
    let hits: Vec<Value> = response.json().await.unwrap();
    assert!(hits.is_empty(), "{hits:#?}");
    w.assert_faithful();
}
