//! Behaviour of the fake OpenAI-compatible server, driven over real HTTP; its answers are
//! checked against the response schemas of OpenAI's own spec.

use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use fakes::ai::cosine;
use fakes::openai::{FailureSpec, FakeOpenAi, FakeOpenAiConfig};
use serde_json::{json, Value};

const KEY: &str = "sk-test-0123456789";

async fn fake() -> FakeOpenAi {
    let fake = FakeOpenAi::start(FakeOpenAiConfig::default()).await.expect("fake starts");
    fake.add_api_key(KEY);
    fake
}

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/openai/examples")
}

async fn post(fake: &FakeOpenAi, path: &str, key: Option<&str>, body: &Value) -> reqwest::Response {
    let mut req = reqwest::Client::new().post(format!("{}{path}", fake.base_url())).json(body);
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    req.send().await.expect("request")
}

async fn post_json(fake: &FakeOpenAi, path: &str, body: &Value) -> (u16, Value) {
    let r = post(fake, path, Some(KEY), body).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn chat(messages: Value) -> Value {
    json!({ "model": "gpt-4o-mini", "messages": messages })
}

fn assert_valid(fake: &FakeOpenAi, schema: &str, body: &Value) {
    let problems = fake.spec().check(schema, body);
    assert!(problems.is_empty(), "{schema}: {problems:#?}\n{body:#}");
}

/// `data: ...` payloads of a server-sent event stream.
fn sse_data(text: &str) -> Vec<String> {
    text.split("\n\n").filter_map(|e| e.trim().strip_prefix("data: ").map(str::to_string)).collect()
}

#[tokio::test]
async fn spec_loads_every_erratum_applies_and_the_specs_own_examples_validate() {
    let fake = fake().await;
    assert!(fake.spec().errata_not_applied().is_empty(), "{:?}", fake.spec().errata_not_applied());
    for name in ["default", "functions", "image_input", "logprobs", "streaming"] {
        let curl = std::fs::read_to_string(
            examples().join(format!("chat_completions_{name}.request.curl.txt")),
        )
        .expect("example");
        let start = curl.find("-d '").expect("body") + 4;
        let end = curl.rfind('\'').expect("end");
        let body: Value = serde_json::from_str(&curl[start..end]).expect("json");
        assert_valid(&fake, "CreateChatCompletionRequest", &body);
        if name == "streaming" {
            let text = std::fs::read_to_string(
                examples().join(format!("chat_completions_{name}.response.txt")),
            )
            .expect("example");
            let chunks: Vec<Value> =
                text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
            assert_eq!(chunks.len(), 3);
            for c in chunks {
                assert_valid(&fake, "CreateChatCompletionStreamResponse", &c);
            }
        } else {
            let text = std::fs::read_to_string(
                examples().join(format!("chat_completions_{name}.response.json")),
            )
            .expect("example");
            let response: Value = serde_json::from_str(&text).expect("json");
            assert_valid(&fake, "CreateChatCompletionResponse", &response);
        }
    }
    let embeddings = json!({
        "input": "The food was delicious and the waiter...",
        "model": "text-embedding-ada-002",
        "encoding_format": "float"
    });
    assert_valid(&fake, "CreateEmbeddingRequest", &embeddings);
}

#[tokio::test]
async fn a_chat_completion_is_spec_shaped_and_recorded() {
    let fake = fake().await;
    let body = chat(json!([
        { "role": "developer", "content": "You are a helpful assistant." },
        { "role": "user", "content": "Hello!" }
    ]));
    let (status, resp) = post_json(&fake, "/chat/completions", &body).await;
    assert_eq!(status, 200, "{resp}");
    assert_valid(&fake, "CreateChatCompletionResponse", &resp);
    assert_eq!(resp["object"], "chat.completion");
    assert_eq!(resp["model"], "gpt-4o-mini");
    assert!(resp["id"].as_str().is_some_and(|id| id.starts_with("chatcmpl-")));
    assert_eq!(resp["choices"][0]["message"]["content"], "Fake answer to: Hello!");
    assert_eq!(resp["choices"][0]["finish_reason"], "stop");
    // "You are a helpful assistant." + "Hello!" = 5 + 1 words; the reply has 4.
    assert_eq!(resp["usage"]["prompt_tokens"], 6);
    assert_eq!(resp["usage"]["completion_tokens"], 4);
    assert_eq!(resp["usage"]["total_tokens"], 10);

    let recorded = fake.requests();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].path, "/v1/chat/completions");
    assert_eq!(recorded[0].body, body);
    assert_eq!(recorded[0].status, 200);
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
}

#[tokio::test]
async fn the_default_reply_quotes_the_best_matching_context_passage() {
    let fake = fake().await;
    let system = "Você é o assistente da ACME. Use apenas o contexto.\nContexto:\n\
                  - O horário de atendimento é das 8h às 18h. Aos sábados até 12h.\n\
                  - Para cancelar o plano, acesse Configurações > Assinatura. Leva 2 dias.";
    let body = chat(json!([
        { "role": "system", "content": system },
        { "role": "user", "content": [{ "type": "text", "text": "Como cancelo o plano?" }] }
    ]));
    let (status, resp) = post_json(&fake, "/chat/completions", &body).await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(
        resp["choices"][0]["message"]["content"],
        "Segundo a base: Para cancelar o plano, acesse Configurações > Assinatura."
    );
    // A test can assert that the retrieved passages reached the model.
    let sent = &fake.requests()[0].body;
    assert!(sent["messages"][0]["content"].as_str().is_some_and(|c| c.contains("Assinatura")));
}

#[tokio::test]
async fn scripted_replies_match_the_last_user_message_and_max_tokens_truncates() {
    let fake = fake().await;
    fake.script("preço", "O plano custa R$ 49 por mês, cancelável quando quiser.");
    let body = chat(json!([
        { "role": "user", "content": "preço?" },
        { "role": "assistant", "content": "..." },
        { "role": "user", "content": "Qual o PREÇO do plano?" }
    ]));
    let (_, resp) = post_json(&fake, "/chat/completions", &body).await;
    assert_eq!(
        resp["choices"][0]["message"]["content"],
        "O plano custa R$ 49 por mês, cancelável quando quiser."
    );
    let mut short = body.clone();
    short["max_completion_tokens"] = json!(3);
    let (_, resp) = post_json(&fake, "/chat/completions", &short).await;
    assert_eq!(resp["choices"][0]["message"]["content"], "O plano custa");
    assert_eq!(resp["choices"][0]["finish_reason"], "length");
    assert_eq!(resp["usage"]["completion_tokens"], 3);
    let mut legacy = body;
    legacy["max_tokens"] = json!(2);
    let (_, resp) = post_json(&fake, "/chat/completions", &legacy).await;
    assert_eq!(resp["choices"][0]["message"]["content"], "O plano");
    // The rule is about the LAST user message only.
    let (_, resp) = post_json(
        &fake,
        "/chat/completions",
        &chat(json!([{ "role": "user", "content": "preço" }, { "role": "user", "content": "oi" }])),
    )
    .await;
    assert_eq!(resp["choices"][0]["message"]["content"], "Fake answer to: oi");
}

#[tokio::test]
async fn streaming_sends_spec_shaped_chunks_then_done() {
    let fake = fake().await;
    fake.script("", "Olá! Como posso\najudar?");
    let mut body = chat(json!([{ "role": "user", "content": "oi" }]));
    body["stream"] = json!(true);
    body["stream_options"] = json!({ "include_usage": true });
    let r = post(&fake, "/chat/completions", Some(KEY), &body).await;
    assert_eq!(r.status(), 200);
    let content_type = r.headers()["content-type"].to_str().expect("ascii").to_string();
    assert!(content_type.starts_with("text/event-stream"), "{content_type}");
    let events = sse_data(&r.text().await.expect("body"));
    assert_eq!(events.last().map(String::as_str), Some("[DONE]"));
    let chunks: Vec<Value> =
        events[..events.len() - 1].iter().map(|e| serde_json::from_str(e).expect("json")).collect();
    for c in &chunks {
        assert_valid(&fake, "CreateChatCompletionStreamResponse", c);
        assert_eq!(c["object"], "chat.completion.chunk");
    }
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    let text: String =
        chunks.iter().filter_map(|c| c["choices"][0]["delta"]["content"].as_str()).collect();
    assert_eq!(text, "Olá! Como posso\najudar?");
    let finish = &chunks[chunks.len() - 2];
    assert_eq!(finish["choices"][0]["finish_reason"], "stop");
    assert!(finish["usage"].is_null());
    let usage = &chunks[chunks.len() - 1];
    assert_eq!(usage["choices"], json!([]));
    assert_eq!(usage["usage"]["completion_tokens"], 4);
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());

    // Without include_usage there is no usage chunk and no `usage` key.
    body.as_object_mut().expect("object").remove("stream_options");
    let events = sse_data(
        &post(&fake, "/chat/completions", Some(KEY), &body).await.text().await.expect("body"),
    );
    let last: Value = serde_json::from_str(&events[events.len() - 2]).expect("json");
    assert_eq!(last["choices"][0]["finish_reason"], "stop");
    assert!(last.get("usage").is_none());
}

#[tokio::test]
async fn embeddings_are_spec_shaped_sized_and_meaningful() {
    let fake = fake().await;
    let body = json!({ "model": "text-embedding-3-small", "input": "Como cancelar meu plano?" });
    let (status, resp) = post_json(&fake, "/embeddings", &body).await;
    assert_eq!(status, 200, "{resp}");
    assert_valid(&fake, "CreateEmbeddingResponse", &resp);
    assert_eq!(resp["data"][0]["embedding"].as_array().map(Vec::len), Some(256));
    assert_eq!(resp["usage"]["prompt_tokens"], 4);

    let texts = [
        "Como cancelar meu plano?",
        "Para cancelar o plano, acesse Configurações > Assinatura.",
        "O horário de atendimento é das 8h às 18h.",
    ];
    let body = json!({ "model": "text-embedding-3-small", "input": texts, "dimensions": 64,
                       "encoding_format": "float" });
    let (status, resp) = post_json(&fake, "/embeddings", &body).await;
    assert_eq!(status, 200, "{resp}");
    assert_valid(&fake, "CreateEmbeddingResponse", &resp);
    let vectors: Vec<Vec<f32>> = resp["data"]
        .as_array()
        .expect("data")
        .iter()
        .enumerate()
        .map(|(i, d)| {
            assert_eq!(d["index"], i);
            d["embedding"]
                .as_array()
                .expect("floats")
                .iter()
                .map(|x| x.as_f64().expect("float") as f32)
                .collect()
        })
        .collect();
    assert!(vectors.iter().all(|v| v.len() == 64));
    let (related, unrelated) = (cosine(&vectors[0], &vectors[1]), cosine(&vectors[0], &vectors[2]));
    assert!(related > unrelated + 0.3, "related {related}, unrelated {unrelated}");
    // Deterministic, and the same function the library exposes.
    assert_eq!(vectors[0], fakes::ai::embed(texts[0], 64));

    let b64 = json!({ "model": "text-embedding-3-small", "input": texts[0], "dimensions": 64,
                      "encoding_format": "base64" });
    let (_, resp) = post_json(&fake, "/embeddings", &b64).await;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(resp["data"][0]["embedding"].as_str().expect("base64"))
        .expect("decodes");
    let floats: Vec<f32> =
        bytes.chunks(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
    assert_eq!(floats, vectors[0]);
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
}

#[tokio::test]
async fn models_are_listed_and_unknown_models_are_404() {
    let fake = fake().await;
    let r = reqwest::Client::new()
        .get(format!("{}/models", fake.base_url()))
        .bearer_auth(KEY)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 200);
    let list: Value = r.json().await.expect("json");
    assert_valid(&fake, "ListModelsResponse", &list);
    assert!(list["data"].as_array().expect("data").iter().any(|m| m["id"] == "gpt-4o-mini"));

    let body = json!({ "model": "gpt-9", "messages": [{ "role": "user", "content": "oi" }] });
    let (status, resp) = post_json(&fake, "/chat/completions", &body).await;
    assert_eq!(status, 404);
    assert_eq!(resp["error"]["code"], "model_not_found");
    fake.add_model("gpt-9");
    assert_eq!(post_json(&fake, "/chat/completions", &body).await.0, 200);
}

#[tokio::test]
async fn a_missing_or_wrong_key_is_401_in_openais_shape() {
    let fake = fake().await;
    let body = chat(json!([{ "role": "user", "content": "oi" }]));
    let r = post(&fake, "/chat/completions", None, &body).await;
    assert_eq!(r.status(), 401);
    let resp: Value = r.json().await.expect("json");
    assert_valid(&fake, "ErrorResponse", &resp);
    assert_eq!(resp["error"]["type"], "invalid_request_error");
    assert!(resp["error"]["code"].is_null());
    assert!(resp["error"]["message"].as_str().is_some_and(|m| m.contains("didn't provide")));

    let r = post(&fake, "/chat/completions", Some("sk-wrong-key-abcdef"), &body).await;
    assert_eq!(r.status(), 401);
    let resp: Value = r.json().await.expect("json");
    assert_valid(&fake, "ErrorResponse", &resp);
    assert_eq!(resp["error"]["code"], "invalid_api_key");
    let message = resp["error"]["message"].as_str().expect("message");
    assert!(message.contains("sk-wro") && !message.contains("sk-wrong-key-abcdef"), "{message}");
    assert_eq!(fake.requests().len(), 2);
    assert!(fake.violations().is_empty(), "auth failures are not spec violations");

    let any = FakeOpenAi::start(FakeOpenAiConfig { accept_any_key: true, ..Default::default() })
        .await
        .expect("starts");
    assert_eq!(post(&any, "/chat/completions", Some("whatever"), &body).await.status(), 200);
}

async fn assert_rejected(fake: &FakeOpenAi, path: &str, body: Value, param: Value, code: Value) {
    let before = fake.violations().len();
    let (status, resp) = post_json(fake, path, &body).await;
    assert_eq!(status, 400, "{resp}");
    assert_valid(fake, "ErrorResponse", &resp);
    assert_eq!(resp["error"]["type"], "invalid_request_error", "{resp}");
    assert_eq!(resp["error"]["param"], param, "{resp}");
    assert_eq!(resp["error"]["code"], code, "{resp}");
    assert_eq!(fake.violations().len(), before + 1, "{:?}", fake.violations());
}

#[tokio::test]
async fn invalid_bodies_are_400_with_the_field_and_recorded_as_violations() {
    let fake = fake().await;
    assert_rejected(
        &fake,
        "/chat/completions",
        json!({ "model": "gpt-4o-mini" }),
        json!("messages"),
        json!("missing_required_parameter"),
    )
    .await;
    assert_rejected(
        &fake,
        "/chat/completions",
        chat(json!([{ "role": "user", "content": 5 }])),
        json!("messages[0].content"),
        json!("invalid_type"),
    )
    .await;
    assert_rejected(
        &fake,
        "/chat/completions",
        chat(json!([{ "role": "robot", "content": "oi" }])),
        json!("messages[0].role"),
        json!("invalid_value"),
    )
    .await;
    let mut body = chat(json!([{ "role": "user", "content": "oi" }]));
    body["temperature"] = json!("hot");
    assert_rejected(&fake, "/chat/completions", body, json!("temperature"), json!("invalid_type"))
        .await;
    let mut body = chat(json!([{ "role": "user", "content": "oi" }]));
    body["max_tokens"] = Value::Null;
    body["temperature"] = Value::Null;
    assert_eq!(post_json(&fake, "/chat/completions", &body).await.0, 200, "null = not set");
    body["bogus"] = json!(1);
    let (status, resp) = post_json(&fake, "/chat/completions", &body).await;
    assert_eq!(status, 400);
    assert_eq!(resp["error"]["message"], "Unrecognized request argument supplied: bogus");
    let mut body = chat(json!([{ "role": "user", "content": "oi" }]));
    body["stream_options"] = json!({ "include_usage": true });
    assert_rejected(
        &fake,
        "/chat/completions",
        body,
        json!("stream_options"),
        json!("invalid_value"),
    )
    .await;
    assert_rejected(
        &fake,
        "/embeddings",
        json!({ "model": "text-embedding-3-small", "input": [1.5] }),
        json!("input"),
        json!("invalid_value"),
    )
    .await;
    let violations = fake.violations();
    assert!(violations[0].starts_with("POST /v1/chat/completions: $: \"messages\" is a required"));
    assert!(violations.iter().all(|v| v.contains("[rule:") || v.contains("stream_options")));
}

#[tokio::test]
async fn unknown_routes_are_404_and_violations() {
    let fake = fake().await;
    let r = post(&fake, "/completions", Some(KEY), &json!({ "model": "x", "prompt": "p" })).await;
    assert_eq!(r.status(), 404);
    let resp: Value = r.json().await.expect("json");
    assert_eq!(resp["error"]["message"], "Invalid URL (POST /v1/completions)");
    assert_eq!(fake.violations().len(), 1);
}

#[tokio::test]
async fn fail_next_injects_rate_limits_and_server_errors_exactly_times() {
    let fake = fake().await;
    let body = chat(json!([{ "role": "user", "content": "oi" }]));
    fake.fail_next("/chat/completions", FailureSpec::rate_limited(7), 2);
    for _ in 0..2 {
        let r = post(&fake, "/chat/completions", Some(KEY), &body).await;
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()["retry-after"], "7");
        let resp: Value = r.json().await.expect("json");
        assert_valid(&fake, "ErrorResponse", &resp);
        assert_eq!(resp["error"]["code"], "rate_limit_exceeded");
        assert_eq!(resp["error"]["type"], "requests");
    }
    assert_eq!(post(&fake, "/chat/completions", Some(KEY), &body).await.status(), 200);

    fake.fail_next("/embeddings", FailureSpec::server_error(), 1);
    fake.fail_next("/embeddings", FailureSpec::unavailable(), 1);
    let emb = json!({ "model": "text-embedding-3-small", "input": "x" });
    let (status, resp) = post_json(&fake, "/embeddings", &emb).await;
    assert_eq!((status, resp["error"]["type"].as_str()), (500, Some("server_error")));
    let (status, _) = post_json(&fake, "/embeddings", &emb).await;
    assert_eq!(status, 503);
    assert_eq!(post_json(&fake, "/chat/completions", &body).await.0, 200, "other paths untouched");
    assert_eq!(post_json(&fake, "/embeddings", &emb).await.0, 200);

    fake.fail_next("/chat/completions", FailureSpec::unauthorized(), 1);
    let (status, resp) = post_json(&fake, "/chat/completions", &body).await;
    assert_eq!((status, resp["error"]["code"].as_str()), (401, Some("invalid_api_key")));
    assert!(fake.violations().is_empty());
}

#[tokio::test]
async fn latency_makes_a_slow_provider() {
    let fake = fake().await;
    fake.set_latency(Duration::from_millis(400));
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{}/chat/completions", fake.base_url()))
        .timeout(Duration::from_millis(100))
        .bearer_auth(KEY)
        .json(&chat(json!([{ "role": "user", "content": "oi" }])))
        .send()
        .await;
    assert!(r.is_err_and(|e| e.is_timeout()));
    // Without the latency it answers (no tight timeout here: a loaded CI machine may be slow).
    fake.set_latency(Duration::ZERO);
    let r = client
        .post(format!("{}/chat/completions", fake.base_url()))
        .bearer_auth(KEY)
        .json(&chat(json!([{ "role": "user", "content": "oi" }])))
        .send()
        .await
        .expect("fast again");
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn http_controls_script_fail_inspect_and_reset() {
    let fake = fake().await;
    let http = reqwest::Client::new();
    let control = |path: &str| format!("{}/_fake/{path}", fake.origin());
    let r = http
        .post(control("script"))
        .json(&json!({ "when_contains": "horário", "reply": "Das 8h às 18h." }))
        .send()
        .await
        .expect("script");
    assert_eq!(r.status(), 200);
    let body = chat(json!([{ "role": "user", "content": "Qual o HORÁRIO?" }]));
    let (_, resp) = post_json(&fake, "/chat/completions", &body).await;
    assert_eq!(resp["choices"][0]["message"]["content"], "Das 8h às 18h.");

    let r = http
        .post(control("fail_next"))
        .json(&json!({ "path_suffix": "/chat/completions", "status": 503, "times": 1 }))
        .send()
        .await
        .expect("fail_next");
    assert_eq!(r.status(), 200);
    assert_eq!(post_json(&fake, "/chat/completions", &body).await.0, 503);
    post_json(&fake, "/chat/completions", &json!({ "model": "gpt-4o-mini" })).await;

    let requests: Value =
        http.get(control("requests")).send().await.expect("get").json().await.expect("json");
    assert_eq!(requests.as_array().map(Vec::len), Some(3));
    assert_eq!(requests[0]["body"], body);
    let violations: Value =
        http.get(control("violations")).send().await.expect("get").json().await.expect("json");
    assert_eq!(violations.as_array().map(Vec::len), Some(1));

    http.post(control("reset")).send().await.expect("reset");
    assert!(fake.requests().is_empty() && fake.violations().is_empty());
    let (_, resp) = post_json(&fake, "/chat/completions", &body).await;
    assert_eq!(resp["choices"][0]["message"]["content"], "Fake answer to: Qual o HORÁRIO?");
}
