//! `provider` against the faithful fakes of OpenAI (also serving as Ollama's `/v1` and a generic
//! OpenAI-compatible server) and Gemini. Each test starts its own fake on a free port.

use std::time::Duration;

use fakes::ai::FailureSpec;
use fakes::gemini::{FakeGemini, FakeGeminiConfig};
use fakes::openai::{FakeOpenAi, FakeOpenAiConfig};
use serde_json::Value;
use server::ai::provider::{
    chat, check, embed, AiError, ChatMessage, ChatRequest, ProviderKind, ProviderSettings,
};

const OPENAI_KEY: &str = "sk-test-0123456789";
const GEMINI_KEY: &str = "AIza-test-0123456789";
const SYSTEM: &str = "Você é a Ana, atendente da Loja Azul. Responda em português.";
const QUESTION: &str = "E qual o horário de atendimento?";
const SCRIPTED: &str = "Atendemos das 8h às 18h, de segunda a sexta.";

// Similar pair and an unrelated text, as the fakes' README pins them.
const CANCEL_Q: &str = "Como cancelar meu plano?";
const CANCEL_A: &str = "Para cancelar o plano, acesse Configurações > Assinatura.";
const HOURS: &str = "O horário de atendimento é das 8h às 18h.";

async fn openai_fake(config: FakeOpenAiConfig) -> FakeOpenAi {
    let fake = FakeOpenAi::start(config).await.expect("fake OpenAI starts");
    fake.add_api_key(OPENAI_KEY);
    fake
}

async fn gemini_fake() -> FakeGemini {
    let fake = FakeGemini::start(FakeGeminiConfig::default()).await.expect("fake Gemini starts");
    fake.add_api_key(GEMINI_KEY);
    fake
}

fn settings(kind: ProviderKind, base_url: &str, key: Option<&str>) -> ProviderSettings {
    ProviderSettings {
        kind,
        base_url: Some(base_url.to_owned()),
        api_key: key.map(str::to_owned),
        timeout: Duration::from_secs(10),
    }
}

fn openai(fake: &FakeOpenAi) -> ProviderSettings {
    settings(ProviderKind::Openai, &fake.base_url(), Some(OPENAI_KEY))
}

fn gemini(fake: &FakeGemini) -> ProviderSettings {
    settings(ProviderKind::Gemini, &fake.base_url(), Some(GEMINI_KEY))
}

fn conversation(model: &str) -> ChatRequest {
    ChatRequest {
        model: model.to_owned(),
        system: SYSTEM.to_owned(),
        history: vec![
            ChatMessage::user("Oi, bom dia"),
            ChatMessage::assistant("Bom dia! Como posso ajudar?"),
            ChatMessage::user(QUESTION),
        ],
        temperature: None,
        max_tokens: None,
    }
}

/// An OpenAI message's `content`: a string or text parts.
fn openai_text(content: &Value) -> String {
    match content {
        Value::String(text) => text.clone(),
        Value::Array(parts) => {
            parts.iter().filter_map(|p| p["text"].as_str()).collect::<Vec<_>>().join("\n")
        }
        _ => String::new(),
    }
}

fn gemini_text(content: &Value) -> String {
    content["parts"]
        .as_array()
        .map(|parts| parts.iter().filter_map(|p| p["text"].as_str()).collect::<Vec<_>>().join("\n"))
        .unwrap_or_default()
}

fn assert_same_vector(got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "vector width");
    let off = got.iter().zip(want).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
    assert!(off < 1e-6, "vectors differ by up to {off}");
}

fn assert_similarity_ranks(vectors: &[Vec<f32>]) {
    let related = fakes::ai::cosine(&vectors[0], &vectors[1]);
    let unrelated = fakes::ai::cosine(&vectors[0], &vectors[2]);
    assert!(related > 0.4, "texts sharing words: cosine {related}");
    assert!(related > unrelated + 0.2, "related {related} vs unrelated {unrelated}");
}

fn kb_texts() -> Vec<String> {
    [CANCEL_Q, CANCEL_A, HOURS].map(str::to_owned).to_vec()
}

// ---------------------------------------------------------------- pure parts

#[test]
fn provider_kind_round_trips_its_names() {
    for kind in [
        ProviderKind::Openai,
        ProviderKind::Gemini,
        ProviderKind::Ollama,
        ProviderKind::OpenaiCompatible,
    ] {
        assert_eq!(ProviderKind::parse(kind.as_str()), Some(kind));
    }
    assert_eq!(ProviderKind::parse("openai_compatible"), Some(ProviderKind::OpenaiCompatible));
    assert_eq!(ProviderKind::parse("anthropic"), None);
}

#[test]
fn errors_have_codes_reasons_and_retry_policy() {
    let cases = [
        (AiError::Timeout, "timeout", true),
        (AiError::RateLimited { retry_after: None }, "rate_limited", true),
        (AiError::InvalidKey(String::new()), "invalid_key", false),
        (AiError::UnknownModel(String::new()), "unknown_model", false),
        (AiError::BadRequest(String::new()), "bad_request", false),
        (AiError::Unavailable(String::new()), "unavailable", true),
        (AiError::Other(String::new()), "other", false),
    ];
    for (error, code, retryable) in cases {
        assert_eq!(error.code(), code);
        assert_eq!(error.retryable(), retryable, "{code}");
        assert!(error.reason().ends_with('.'), "{code}: one sentence");
    }
    assert_eq!(AiError::InvalidKey("x".into()).reason(), "The AI provider refused the API key.");
    let wait = AiError::RateLimited { retry_after: Some(Duration::from_secs(7)) };
    assert!(wait.reason().contains("7 seconds"), "{}", wait.reason());
}

#[test]
fn settings_debug_redacts_the_key() {
    let s = settings(ProviderKind::Openai, "http://x/v1", Some("sk-secret-value"));
    assert!(!format!("{s:?}").contains("sk-secret-value"));
}

// ---------------------------------------------------------------- OpenAI

#[tokio::test]
async fn openai_chat_returns_scripted_reply_and_sends_system_and_history() {
    let fake = openai_fake(FakeOpenAiConfig::default()).await;
    fake.script("horário", SCRIPTED);

    let reply = chat(&openai(&fake), &conversation("gpt-4o-mini")).await.expect("chat");

    assert_eq!(reply.text, SCRIPTED);
    assert!(!reply.truncated);
    assert!(reply.input_tokens.is_some_and(|n| n > 0), "{reply:?}");
    assert!(reply.output_tokens.is_some_and(|n| n > 0), "{reply:?}");
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("POST", "/v1/chat/completions")
    );
    let body = &requests[0].body;
    assert_eq!(body["model"], "gpt-4o-mini");
    assert!(body.get("stream").is_none_or(|s| s == false), "unary call: {body}");
    let messages: Vec<(String, String)> = body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| (m["role"].as_str().unwrap_or_default().to_owned(), openai_text(&m["content"])))
        .collect();
    let expected = [
        ("system", SYSTEM),
        ("user", "Oi, bom dia"),
        ("assistant", "Bom dia! Como posso ajudar?"),
        ("user", QUESTION),
    ]
    .map(|(r, t)| (r.to_owned(), t.to_owned()));
    assert_eq!(messages, expected);
    assert!(body.get("temperature").is_none() && body.get("max_tokens").is_none(), "{body}");
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
}

#[tokio::test]
async fn openai_chat_sends_temperature_and_max_tokens_and_reports_truncation() {
    let fake = openai_fake(FakeOpenAiConfig::default()).await;
    fake.script("horário", "um dois três quatro cinco seis");
    let mut request = conversation("gpt-4o-mini");
    request.temperature = Some(0.7);
    request.max_tokens = Some(3);

    let reply = chat(&openai(&fake), &request).await.expect("chat");

    assert_eq!(reply.text, "um dois três");
    assert!(reply.truncated);
    let body = &fake.requests()[0].body;
    assert_eq!(body["temperature"], serde_json::json!(0.7), "no f32 noise: {body}");
    assert_eq!(body["max_tokens"], 3);
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
}

#[tokio::test]
async fn openai_reasoning_model_gets_max_completion_tokens_and_no_temperature() {
    let fake = openai_fake(FakeOpenAiConfig::default()).await;
    let mut request = conversation("gpt-5-mini");
    request.temperature = Some(0.7);
    request.max_tokens = Some(50);

    chat(&openai(&fake), &request).await.expect("chat");

    let body = &fake.requests()[0].body;
    assert_eq!(body["max_completion_tokens"], 50, "{body}");
    assert!(body.get("max_tokens").is_none(), "{body}");
    assert!(body.get("temperature").is_none(), "OpenAI refuses it on gpt-5-mini: {body}");
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
}

#[tokio::test]
async fn consecutive_messages_of_one_role_become_one_turn_and_blank_ones_are_dropped() {
    let fake = openai_fake(FakeOpenAiConfig::default()).await;
    let mut request = conversation("gpt-4o-mini");
    request.history = vec![
        ChatMessage::user("Oi"),
        ChatMessage::user("   "),
        ChatMessage::user("Quero cancelar"),
        ChatMessage::assistant("Claro!"),
        ChatMessage::user(QUESTION),
    ];

    chat(&openai(&fake), &request).await.expect("chat");

    let body = &fake.requests()[0].body;
    let texts: Vec<String> = body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| openai_text(&m["content"]))
        .collect();
    assert_eq!(texts, [SYSTEM, "Oi\nQuero cancelar", "Claro!", QUESTION]);
}

#[tokio::test]
async fn openai_embeddings_are_one_vector_per_text_in_order() {
    let fake = openai_fake(FakeOpenAiConfig::default()).await;
    let texts = kb_texts();

    let vectors = embed(&openai(&fake), "text-embedding-3-small", &texts).await.expect("embed");

    assert_eq!(vectors.len(), 3);
    let requests = fake.requests();
    assert_eq!(requests[0].path, "/v1/embeddings");
    // rig asks for the model's native width explicitly; the fake honours `dimensions`.
    assert_eq!(requests[0].body["dimensions"], 1536);
    for (vector, text) in vectors.iter().zip(&texts) {
        assert_same_vector(vector, &fakes::ai::embed(text, 1536));
    }
    assert_similarity_ranks(&vectors);
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
}

#[tokio::test]
async fn embeddings_are_batched_and_keep_their_order() {
    let fake = openai_fake(FakeOpenAiConfig::default()).await;
    let texts: Vec<String> =
        (0..130).map(|i| format!("pergunta número {i} sobre o produto {}", i * 7)).collect();

    let vectors = embed(&openai(&fake), "text-embedding-3-small", &texts).await.expect("embed");

    let sizes: Vec<usize> =
        fake.requests().iter().map(|r| r.body["input"].as_array().map_or(0, Vec::len)).collect();
    assert_eq!(sizes, [64, 64, 2]);
    assert_eq!(vectors.len(), texts.len());
    for (vector, text) in vectors.iter().zip(&texts) {
        assert_same_vector(vector, &fakes::ai::embed(text, 1536));
    }
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
}

#[tokio::test]
async fn embedding_nothing_makes_no_call() {
    let fake = openai_fake(FakeOpenAiConfig::default()).await;
    let vectors = embed(&openai(&fake), "text-embedding-3-small", &[]).await.expect("embed");
    assert!(vectors.is_empty());
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn openai_wrong_key_is_invalid_key() {
    let fake = openai_fake(FakeOpenAiConfig::default()).await;
    let wrong = settings(ProviderKind::Openai, &fake.base_url(), Some("sk-wrong-0123456789"));

    let error = chat(&wrong, &conversation("gpt-4o-mini")).await.expect_err("refused");
    assert!(matches!(error, AiError::InvalidKey(_)), "{error:?}");
    assert!(!error.to_string().contains("sk-wrong-0123456789"), "{error}");
    let error = embed(&wrong, "text-embedding-3-small", &kb_texts()).await.expect_err("refused");
    assert!(matches!(error, AiError::InvalidKey(_)), "{error:?}");

    fake.fail_next("/chat/completions", FailureSpec::unauthorized(), 1);
    let error = chat(&openai(&fake), &conversation("gpt-4o-mini")).await.expect_err("refused");
    assert!(matches!(error, AiError::InvalidKey(_)), "{error:?}");
}

#[tokio::test]
async fn missing_key_or_model_fails_before_any_call() {
    let fake = openai_fake(FakeOpenAiConfig::default()).await;
    let no_key = settings(ProviderKind::Openai, &fake.base_url(), None);
    let error = chat(&no_key, &conversation("gpt-4o-mini")).await.expect_err("no key");
    assert!(matches!(error, AiError::InvalidKey(_)), "{error:?}");
    let blank_key = settings(ProviderKind::Openai, &fake.base_url(), Some("  "));
    let error = check(&blank_key, "gpt-4o-mini").await.expect_err("no key");
    assert!(matches!(error, AiError::InvalidKey(_)), "{error:?}");

    let error = chat(&openai(&fake), &conversation(" ")).await.expect_err("no model");
    assert!(matches!(error, AiError::BadRequest(_)), "{error:?}");
    let error = embed(&openai(&fake), "", &kb_texts()).await.expect_err("no model");
    assert!(matches!(error, AiError::BadRequest(_)), "{error:?}");
    let mut empty = conversation("gpt-4o-mini");
    empty.history = vec![ChatMessage::user("")];
    let error = chat(&openai(&fake), &empty).await.expect_err("no text");
    assert!(matches!(error, AiError::BadRequest(_)), "{error:?}");

    let no_base = ProviderSettings { base_url: None, ..openai(&fake) };
    let no_base = ProviderSettings { kind: ProviderKind::OpenaiCompatible, ..no_base };
    let error = chat(&no_base, &conversation("gpt-4o-mini")).await.expect_err("no base URL");
    assert!(matches!(error, AiError::BadRequest(_)), "{error:?}");

    assert!(fake.requests().is_empty(), "{:#?}", fake.requests());
}

#[tokio::test]
async fn openai_rate_limit_carries_retry_after() {
    let fake = openai_fake(FakeOpenAiConfig::default()).await;
    fake.fail_next("/chat/completions", FailureSpec::rate_limited(7), 1);
    fake.fail_next("/embeddings", FailureSpec::rate_limited(3), 1);

    let error = chat(&openai(&fake), &conversation("gpt-4o-mini")).await.expect_err("429");
    assert_eq!(error, AiError::RateLimited { retry_after: Some(Duration::from_secs(7)) });
    assert!(error.retryable());
    let error =
        embed(&openai(&fake), "text-embedding-3-small", &kb_texts()).await.expect_err("429");
    assert_eq!(error, AiError::RateLimited { retry_after: Some(Duration::from_secs(3)) });
}

#[tokio::test]
async fn openai_server_errors_are_unavailable() {
    let fake = openai_fake(FakeOpenAiConfig::default()).await;
    fake.fail_next("/chat/completions", FailureSpec::unavailable(), 1);
    fake.fail_next("/chat/completions", FailureSpec::server_error(), 1);

    for status in [503, 500] {
        let error = chat(&openai(&fake), &conversation("gpt-4o-mini")).await.expect_err("5xx");
        assert!(matches!(error, AiError::Unavailable(_)), "{status}: {error:?}");
        assert!(error.retryable());
    }
}

#[tokio::test]
async fn unreachable_provider_is_unavailable() {
    // A port nobody listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let gone =
        settings(ProviderKind::Openai, &format!("http://127.0.0.1:{port}/v1"), Some(OPENAI_KEY));

    let error = chat(&gone, &conversation("gpt-4o-mini")).await.expect_err("refused");
    assert!(matches!(error, AiError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn slow_openai_is_a_timeout() {
    let fake = openai_fake(FakeOpenAiConfig::default()).await;
    fake.set_latency(Duration::from_millis(1500));
    let impatient = ProviderSettings { timeout: Duration::from_millis(200), ..openai(&fake) };

    let error = chat(&impatient, &conversation("gpt-4o-mini")).await.expect_err("slow");
    assert_eq!(error, AiError::Timeout);
    let error = embed(&impatient, "text-embedding-3-small", &kb_texts()).await.expect_err("slow");
    assert_eq!(error, AiError::Timeout);
}

#[tokio::test]
async fn openai_unknown_model() {
    let fake = openai_fake(FakeOpenAiConfig::default()).await;

    let error = chat(&openai(&fake), &conversation("gpt-nope")).await.expect_err("404");
    assert!(matches!(error, AiError::UnknownModel(_)), "{error:?}");
    assert!(error.to_string().contains("gpt-nope"), "{error}");
    let error = embed(&openai(&fake), "embedding-nope", &kb_texts()).await.expect_err("404");
    assert!(matches!(error, AiError::UnknownModel(_)), "{error:?}");
}

#[tokio::test]
async fn openai_check_lists_models() {
    let fake = openai_fake(FakeOpenAiConfig::default()).await;

    check(&openai(&fake), "gpt-4o-mini").await.expect("chat model listed");
    check(&openai(&fake), "text-embedding-3-small").await.expect("embedding model listed");
    let error = check(&openai(&fake), "gpt-nope").await.expect_err("not listed");
    assert!(matches!(error, AiError::UnknownModel(_)), "{error:?}");
    let wrong = settings(ProviderKind::Openai, &fake.base_url(), Some("sk-wrong-0123456789"));
    let error = check(&wrong, "gpt-4o-mini").await.expect_err("refused");
    assert!(matches!(error, AiError::InvalidKey(_)), "{error:?}");

    assert!(fake.requests().iter().all(|r| r.method == "GET" && r.path == "/v1/models"));
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
}

// ---------------------------------------------------------------- OpenAI-compatible

#[tokio::test]
async fn compatible_server_chat_and_embeddings_with_trailing_slash_base_url() {
    let fake =
        openai_fake(FakeOpenAiConfig { accept_any_model: true, ..FakeOpenAiConfig::default() })
            .await;
    fake.script("horário", SCRIPTED);
    let compatible = settings(
        ProviderKind::OpenaiCompatible,
        &format!("{}/", fake.base_url()),
        Some(OPENAI_KEY),
    );
    let mut request = conversation("qwen2.5-7b-instruct");
    request.max_tokens = Some(200);
    request.temperature = Some(0.2);

    let reply = chat(&compatible, &request).await.expect("chat");
    let vectors = embed(&compatible, "nomic-embed-text", &kb_texts()).await.expect("embed");

    assert_eq!(reply.text, SCRIPTED);
    let requests = fake.requests();
    assert_eq!(requests[0].path, "/v1/chat/completions");
    assert_eq!(requests[0].body["max_tokens"], 200);
    assert_eq!(requests[0].body["temperature"], serde_json::json!(0.2));
    let roles: Vec<&str> = requests[0].body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["role"].as_str())
        .collect();
    assert_eq!(roles, ["system", "user", "assistant", "user"]);
    assert_eq!(requests[1].path, "/v1/embeddings");
    assert!(requests[1].body.get("dimensions").is_none(), "unknown model: native width");
    for (vector, text) in vectors.iter().zip(kb_texts()) {
        assert_same_vector(vector, &fakes::ai::embed(&text, fakes::ai::DEFAULT_DIMS));
    }
    assert_similarity_ranks(&vectors);
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
}

#[tokio::test]
async fn compatible_server_errors_are_classified() {
    let fake = openai_fake(FakeOpenAiConfig::default()).await;
    let compatible = settings(ProviderKind::OpenaiCompatible, &fake.base_url(), Some(OPENAI_KEY));

    // No key: no Authorization header at all, which this server refuses.
    let keyless = ProviderSettings { api_key: None, ..compatible.clone() };
    let error = chat(&keyless, &conversation("gpt-4o-mini")).await.expect_err("401");
    assert!(matches!(error, AiError::InvalidKey(_)), "{error:?}");

    let error = chat(&compatible, &conversation("not-served")).await.expect_err("404");
    assert!(matches!(error, AiError::UnknownModel(_)), "{error:?}");

    fake.fail_next("/chat/completions", FailureSpec::rate_limited(2), 1);
    let error = chat(&compatible, &conversation("gpt-4o-mini")).await.expect_err("429");
    assert_eq!(error, AiError::RateLimited { retry_after: Some(Duration::from_secs(2)) });

    fake.fail_next("/chat/completions", FailureSpec::unavailable(), 1);
    let error = chat(&compatible, &conversation("gpt-4o-mini")).await.expect_err("503");
    assert!(matches!(error, AiError::Unavailable(_)), "{error:?}");

    fake.set_latency(Duration::from_millis(1500));
    let impatient = ProviderSettings { timeout: Duration::from_millis(200), ..compatible };
    let error = chat(&impatient, &conversation("gpt-4o-mini")).await.expect_err("slow");
    assert_eq!(error, AiError::Timeout);
}

// ---------------------------------------------------------------- Ollama (its OpenAI-compatible /v1)

#[tokio::test]
async fn ollama_uses_the_v1_api_under_the_daemon_address() {
    let fake = openai_fake(FakeOpenAiConfig::default()).await;
    fake.add_model("llama3.2:latest");
    fake.add_model("llama3.2");
    fake.add_model("nomic-embed-text");
    fake.script("horário", SCRIPTED);
    // The daemon's address as users know it (no /v1); a proxied daemon wants a token.
    let ollama = settings(ProviderKind::Ollama, fake.origin(), Some(OPENAI_KEY));

    let reply = chat(&ollama, &conversation("llama3.2")).await.expect("chat");
    let vectors = embed(&ollama, "nomic-embed-text", &kb_texts()).await.expect("embed");
    check(&ollama, "llama3.2").await.expect("listed as llama3.2:latest");

    assert_eq!(reply.text, SCRIPTED);
    assert_eq!(vectors.len(), 3);
    let paths: Vec<String> = fake.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/v1/chat/completions", "/v1/embeddings", "/v1/models"]);
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
}

// ---------------------------------------------------------------- Gemini

#[tokio::test]
async fn gemini_chat_returns_scripted_reply_and_sends_system_and_history() {
    let fake = gemini_fake().await;
    fake.script("horário", SCRIPTED);

    let reply = chat(&gemini(&fake), &conversation("gemini-2.5-flash")).await.expect("chat");

    assert_eq!(reply.text, SCRIPTED);
    assert!(!reply.truncated);
    assert!(reply.input_tokens.is_some_and(|n| n > 0), "{reply:?}");
    assert!(reply.output_tokens.is_some_and(|n| n > 0), "{reply:?}");
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/v1beta/models/gemini-2.5-flash:generateContent");
    assert!(requests[0].query.contains(&("key".to_owned(), GEMINI_KEY.to_owned())));
    let body = &requests[0].body;
    assert_eq!(gemini_text(&body["systemInstruction"]), SYSTEM);
    let contents: Vec<(String, String)> = body["contents"]
        .as_array()
        .expect("contents")
        .iter()
        .map(|c| (c["role"].as_str().unwrap_or_default().to_owned(), gemini_text(c)))
        .collect();
    let expected =
        [("user", "Oi, bom dia"), ("model", "Bom dia! Como posso ajudar?"), ("user", QUESTION)]
            .map(|(r, t)| (r.to_owned(), t.to_owned()));
    assert_eq!(contents, expected);
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
}

#[tokio::test]
async fn gemini_chat_sends_temperature_and_max_tokens_and_reports_truncation() {
    let fake = gemini_fake().await;
    fake.script("horário", "um dois três quatro cinco seis");
    let mut request = conversation("gemini-2.0-flash");
    request.temperature = Some(0.7);
    request.max_tokens = Some(3);

    let reply = chat(&gemini(&fake), &request).await.expect("chat");

    assert_eq!(reply.text, "um dois três");
    assert!(reply.truncated);
    let config = &fake.requests()[0].body["generationConfig"];
    assert_eq!(config["temperature"], serde_json::json!(0.7), "{config}");
    assert_eq!(config["maxOutputTokens"], 3, "{config}");
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
}

#[tokio::test]
async fn gemini_embeddings_are_one_vector_per_text_in_order() {
    let fake = gemini_fake().await;
    let texts = kb_texts();

    let vectors = embed(&gemini(&fake), "text-embedding-004", &texts).await.expect("embed");

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/v1beta/models/text-embedding-004:batchEmbedContents");
    let sent = requests[0].body["requests"].as_array().expect("requests");
    assert_eq!(sent.len(), 3);
    // rig asks for the model's native width (768) explicitly; the fake honours it.
    assert_eq!(sent[0]["output_dimensionality"], 768);
    for (vector, text) in vectors.iter().zip(&texts) {
        assert_same_vector(vector, &fakes::ai::embed(text, 768));
    }
    assert_similarity_ranks(&vectors);
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
}

#[tokio::test]
async fn gemini_key_errors_are_invalid_key() {
    let fake = gemini_fake().await;
    let wrong = settings(ProviderKind::Gemini, &fake.base_url(), Some("AIza-wrong-0123456789"));

    // Gemini answers a wrong key with 400 INVALID_ARGUMENT + ErrorInfo API_KEY_INVALID.
    let error = chat(&wrong, &conversation("gemini-2.5-flash")).await.expect_err("refused");
    assert!(matches!(error, AiError::InvalidKey(_)), "{error:?}");
    assert!(!error.to_string().contains("AIza-wrong-0123456789"), "key scrubbed: {error}");
    let error = embed(&wrong, "text-embedding-004", &kb_texts()).await.expect_err("refused");
    assert!(matches!(error, AiError::InvalidKey(_)), "{error:?}");

    fake.fail_next(":generateContent", FailureSpec::unauthorized(), 1);
    let error = chat(&gemini(&fake), &conversation("gemini-2.5-flash")).await.expect_err("refused");
    assert!(matches!(error, AiError::InvalidKey(_)), "{error:?}");

    let no_key = ProviderSettings { api_key: None, ..gemini(&fake) };
    let error = chat(&no_key, &conversation("gemini-2.5-flash")).await.expect_err("no key");
    assert!(matches!(error, AiError::InvalidKey(_)), "{error:?}");
}

#[tokio::test]
async fn gemini_rate_limit_reads_retry_info() {
    let fake = gemini_fake().await;
    fake.fail_next(":generateContent", FailureSpec::rate_limited(13), 1);
    fake.fail_next(":batchEmbedContents", FailureSpec::rate_limited(4), 1);

    let error = chat(&gemini(&fake), &conversation("gemini-2.5-flash")).await.expect_err("429");
    assert_eq!(error, AiError::RateLimited { retry_after: Some(Duration::from_secs(13)) });
    let error = embed(&gemini(&fake), "text-embedding-004", &kb_texts()).await.expect_err("429");
    assert_eq!(error, AiError::RateLimited { retry_after: Some(Duration::from_secs(4)) });
}

#[tokio::test]
async fn gemini_server_errors_are_unavailable() {
    let fake = gemini_fake().await;
    fake.fail_next(":generateContent", FailureSpec::unavailable(), 1);
    fake.fail_next(":batchEmbedContents", FailureSpec::server_error(), 1);

    let error = chat(&gemini(&fake), &conversation("gemini-2.5-flash")).await.expect_err("503");
    assert!(matches!(error, AiError::Unavailable(_)), "{error:?}");
    let error = embed(&gemini(&fake), "text-embedding-004", &kb_texts()).await.expect_err("500");
    assert!(matches!(error, AiError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn slow_gemini_is_a_timeout() {
    let fake = gemini_fake().await;
    fake.set_latency(Duration::from_millis(1500));
    let impatient = ProviderSettings { timeout: Duration::from_millis(200), ..gemini(&fake) };

    let error = chat(&impatient, &conversation("gemini-2.5-flash")).await.expect_err("slow");
    assert_eq!(error, AiError::Timeout);
}

#[tokio::test]
async fn gemini_unknown_model() {
    let fake = gemini_fake().await;

    let error = chat(&gemini(&fake), &conversation("gemini-nope")).await.expect_err("404");
    assert!(matches!(error, AiError::UnknownModel(_)), "{error:?}");
    // An embedding model asked to chat is "not supported for generateContent": 404 too.
    let error = chat(&gemini(&fake), &conversation("text-embedding-004")).await.expect_err("404");
    assert!(matches!(error, AiError::UnknownModel(_)), "{error:?}");
    let error = embed(&gemini(&fake), "embedding-nope", &kb_texts()).await.expect_err("404");
    assert!(matches!(error, AiError::UnknownModel(_)), "{error:?}");
}

#[tokio::test]
async fn gemini_check_and_forgiving_names() {
    let fake = gemini_fake().await;
    fake.script("horário", SCRIPTED);
    // As copied from Google's docs / model listing.
    let copied =
        settings(ProviderKind::Gemini, &format!("{}/v1beta/", fake.base_url()), Some(GEMINI_KEY));

    check(&gemini(&fake), "gemini-2.5-flash").await.expect("listed");
    check(&copied, "models/text-embedding-004").await.expect("listed");
    let reply = chat(&copied, &conversation("models/gemini-2.5-flash")).await.expect("chat");
    assert_eq!(reply.text, SCRIPTED);
    let error = check(&gemini(&fake), "gemini-nope").await.expect_err("not listed");
    assert!(matches!(error, AiError::UnknownModel(_)), "{error:?}");
    let wrong = settings(ProviderKind::Gemini, &fake.base_url(), Some("AIza-wrong-0123456789"));
    let error = check(&wrong, "gemini-2.5-flash").await.expect_err("refused");
    assert!(matches!(error, AiError::InvalidKey(_)), "{error:?}");

    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
}
