//! Behaviour of the fake Gemini server, driven over real HTTP; its success and error bodies are
//! compared structurally with real responses in `conformance/gemini/`.

use std::path::PathBuf;
use std::time::Duration;

use fakes::ai::cosine;
use fakes::gemini::{FailureSpec, FakeGemini, FakeGeminiConfig};
use serde_json::{json, Value};

const KEY: &str = "AIza-test-key";
const MODEL: &str = "gemini-2.0-flash";

async fn fake() -> FakeGemini {
    let fake = FakeGemini::start(FakeGeminiConfig::default()).await.expect("fake starts");
    fake.add_api_key(KEY);
    fake
}

fn fixture(name: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/gemini");
    std::fs::read_to_string(dir.join(name)).expect("fixture")
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).expect("fixture json")
}

/// Keys and JSON types, recursively (arrays by their first element): two bodies with the same
/// shape differ only in values.
fn shape(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
        Value::Array(items) => Value::Array(items.first().map(shape).into_iter().collect()),
        Value::String(_) => json!("string"),
        Value::Number(_) => json!("number"),
        Value::Bool(_) => json!("bool"),
        Value::Null => json!("null"),
    }
}

/// Like [`shape`], but each array's elements by `@type` (error details differ per element).
fn detail_types(v: &Value) -> Vec<String> {
    v["error"]["details"]
        .as_array()
        .map(|d| d.iter().map(|x| x["@type"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

fn url(fake: &FakeGemini, model: &str, method: &str, query: &str) -> String {
    format!("{}/v1beta/models/{model}:{method}?key={KEY}{query}", fake.base_url())
}

async fn post(url: &str, body: &Value) -> (u16, Value) {
    let r = reqwest::Client::new().post(url).json(body).send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn hello() -> Value {
    json!({ "contents": [{ "role": "user", "parts": [{ "text": "Hello" }] }] })
}

#[tokio::test]
async fn generate_content_answers_in_the_shape_of_the_real_reply() {
    let fake = fake().await;
    let (status, resp) = post(&url(&fake, MODEL, "generateContent", ""), &hello()).await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(shape(&resp), shape(&fixture_json("unary-success-basic-reply-short.json")));
    assert_eq!(resp["candidates"][0]["content"]["parts"][0]["text"], "Fake answer to: Hello");
    assert_eq!(resp["candidates"][0]["content"]["role"], "model");
    assert_eq!(resp["candidates"][0]["finishReason"], "STOP");
    assert_eq!(resp["usageMetadata"]["promptTokenCount"], 1);
    assert_eq!(resp["usageMetadata"]["candidatesTokenCount"], 4);
    assert_eq!(resp["usageMetadata"]["totalTokenCount"], 5);
    assert_eq!(resp["modelVersion"], MODEL);
    let recorded = fake.requests();
    assert_eq!(recorded[0].path, format!("/v1beta/models/{MODEL}:generateContent"));
    assert_eq!(recorded[0].body, hello());
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
}

#[tokio::test]
async fn rig_cores_request_is_accepted_with_the_key_in_the_query_or_a_header() {
    let fake = fake().await;
    // What rig-core 0.44's GenerateContent wire sends (nulls for unset fields, thought flags,
    // the system instruction with role "model").
    let body = json!({
        "contents": [{ "parts": [{ "text": "Como cancelo o plano?", "thought": false }], "role": "user" }],
        "generationConfig": { "temperature": 0.0, "maxOutputTokens": 256 },
        "safetySettings": null,
        "toolConfig": null,
        "systemInstruction": {
            "parts": [{ "text": "Contexto:\n- Para cancelar o plano, acesse Assinatura. Pronto.", "thought": false }],
            "role": "model"
        }
    });
    let (status, resp) = post(&url(&fake, MODEL, "generateContent", ""), &body).await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(
        resp["candidates"][0]["content"]["parts"][0]["text"],
        "Segundo a base: Para cancelar o plano, acesse Assinatura."
    );
    let r = reqwest::Client::new()
        .post(format!("{}/v1beta/models/{MODEL}:generateContent", fake.base_url()))
        .header("x-goog-api-key", KEY)
        .json(&hello())
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 200);
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
}

#[tokio::test]
async fn streaming_with_alt_sse_sends_chunks_like_the_real_stream() {
    let fake = fake().await;
    fake.script("capital", "The capital of Wyoming is Cheyenne.");
    let body =
        json!({ "contents": [{ "role": "user", "parts": [{ "text": "Capital of Wyoming?" }] }] });
    let r = reqwest::Client::new()
        .post(url(&fake, MODEL, "streamGenerateContent", "&alt=sse"))
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().is_ok_and(|c| c.starts_with("text/event-stream")));
    let parse = |text: &str| -> Vec<Value> {
        text.split("\r\n\r\n")
            .filter_map(|e| e.trim().strip_prefix("data: "))
            .map(|d| serde_json::from_str(d).expect("chunk json"))
            .collect()
    };
    let text = r.text().await.expect("body");
    assert!(text.ends_with("}\r\n\r\n"), "events end with CRLF CRLF, like Google's");
    let chunks = parse(&text);
    let real = parse(&fixture("streaming-success-basic-reply-short.txt"));
    assert_eq!(real.len(), 3);
    assert_eq!(shape(&chunks[0]), shape(&real[0]));
    assert_eq!(shape(&chunks[chunks.len() - 1]), shape(&real[2]));
    let text: String = chunks
        .iter()
        .map(|c| c["candidates"][0]["content"]["parts"][0]["text"].as_str().expect("text"))
        .collect();
    assert_eq!(text, "The capital of Wyoming is Cheyenne.");
    assert_eq!(chunks.last().expect("last")["candidates"][0]["finishReason"], "STOP");
    assert_eq!(chunks.last().expect("last")["usageMetadata"]["candidatesTokenCount"], 6);

    // Without alt=sse Google answers a JSON array of the same chunks.
    let (status, array) = post(&url(&fake, MODEL, "streamGenerateContent", ""), &body).await;
    assert_eq!(status, 200);
    assert_eq!(array.as_array().map(Vec::len), Some(chunks.len()));
}

#[tokio::test]
async fn max_output_tokens_truncates_with_max_tokens() {
    let fake = fake().await;
    fake.script("", "one two three four five");
    let mut body = hello();
    body["generationConfig"] = json!({ "maxOutputTokens": 2 });
    let (_, resp) = post(&url(&fake, MODEL, "generateContent", ""), &body).await;
    assert_eq!(resp["candidates"][0]["content"]["parts"][0]["text"], "one two");
    assert_eq!(resp["candidates"][0]["finishReason"], "MAX_TOKENS");
    assert_eq!(resp["usageMetadata"]["candidatesTokenCount"], 2);
}

#[tokio::test]
async fn a_wrong_key_answers_like_the_real_api_key_failure_and_no_key_is_403() {
    let fake = fake().await;
    let wrong = format!("{}/v1beta/models/{MODEL}:generateContent?key=key1234", fake.base_url());
    let (status, resp) = post(&wrong, &hello()).await;
    let real = fixture_json("unary-failure-api-key.json");
    assert_eq!(status, 400);
    assert_eq!(shape(&resp["error"]["code"]), shape(&real["error"]["code"]));
    assert_eq!(detail_types(&resp), detail_types(&real));
    // Same key → the same body as the real one, value for value.
    assert_eq!(resp, real);

    let none = format!("{}/v1beta/models/{MODEL}:generateContent", fake.base_url());
    let (status, resp) = post(&none, &hello()).await;
    assert_eq!(status, 403);
    assert_eq!(resp["error"]["status"], "PERMISSION_DENIED");
    assert!(fake.violations().is_empty());
}

#[tokio::test]
async fn an_unknown_model_answers_like_the_real_unknown_model_failure() {
    let fake = fake().await;
    let (status, resp) =
        post(&url(&fake, "gemini-5.0-flash", "generateContent", ""), &hello()).await;
    let real = fixture_json("unary-failure-unknown-model.json");
    assert_eq!(status, 404);
    assert_eq!(shape(&resp), shape(&real));
    assert_eq!(detail_types(&resp), detail_types(&real));
    let message = resp["error"]["message"].as_str().expect("message");
    assert!(message.starts_with("models/gemini-5.0-flash is not found for API version v1beta"));
    // The v1 route says v1, exactly like the fixture.
    let v1 = format!("{}/v1/models/gemini-5.0-flash:generateContent?key={KEY}", fake.base_url());
    let (_, resp) = post(&v1, &hello()).await;
    assert_eq!(resp["error"]["message"], real["error"]["message"]);
    // An embedding model does not generate.
    let (status, _) =
        post(&url(&fake, "text-embedding-004", "generateContent", ""), &hello()).await;
    assert_eq!(status, 404);
}

async fn assert_invalid(fake: &FakeGemini, method: &str, body: Value, field: &str) {
    let before = fake.violations().len();
    let (status, resp) = post(&url(fake, MODEL, method, ""), &body).await;
    assert_eq!(status, 400, "{resp}");
    assert_eq!(resp["error"]["status"], "INVALID_ARGUMENT");
    assert_eq!(resp["error"]["details"][0]["@type"], "type.googleapis.com/google.rpc.BadRequest");
    let fields: Vec<&str> = resp["error"]["details"][0]["fieldViolations"]
        .as_array()
        .expect("violations")
        .iter()
        .filter_map(|v| v["field"].as_str())
        .collect();
    assert!(fields.contains(&field), "{field} not in {fields:?}");
    assert_eq!(fake.violations().len(), before + 1, "{:?}", fake.violations());
}

#[tokio::test]
async fn malformed_requests_are_400_invalid_argument_and_violations() {
    let fake = fake().await;
    assert_invalid(&fake, "generateContent", json!({}), "contents").await;
    assert_invalid(&fake, "generateContent", json!({ "contents": [] }), "contents").await;
    assert_invalid(
        &fake,
        "generateContent",
        json!({ "contents": [{ "role": "assistant", "parts": [{ "text": "x" }] }] }),
        "contents[0].role",
    )
    .await;
    assert_invalid(
        &fake,
        "generateContent",
        json!({ "contents": [{ "role": "user", "parts": [{ "text": 5 }] }] }),
        "contents[0].parts[0].text",
    )
    .await;
    assert_invalid(
        &fake,
        "generateContent",
        json!({ "contents": [{ "role": "user", "parts": [] }] }),
        "contents[0].parts",
    )
    .await;
    assert_invalid(
        &fake,
        "streamGenerateContent",
        json!({ "contents": [{ "parts": [{ "text": "x" }] }], "generationConfig": { "max_tokens": 5 } }),
        "generationConfig",
    )
    .await;
    assert_invalid(
        &fake,
        "generateContent",
        json!({ "contents": [{ "parts": [{ "text": "x" }] }], "prompt": "x" }),
        "",
    )
    .await;
    let snake = json!({ "contents": [{ "parts": [{ "text": "x" }] }],
                        "system_instruction": { "parts": [{ "text": "y" }] },
                        "generation_config": { "max_output_tokens": 3 } });
    assert_eq!(post(&url(&fake, MODEL, "generateContent", ""), &snake).await.0, 200);
}

#[tokio::test]
async fn embeddings_single_and_batch_are_deterministic_sized_and_meaningful() {
    let fake = fake().await;
    let model = "text-embedding-004";
    let single = json!({ "content": { "parts": [{ "text": "Como cancelar meu plano?" }] } });
    let (status, resp) = post(&url(&fake, model, "embedContent", ""), &single).await;
    assert_eq!(status, 200, "{resp}");
    let values = resp["embedding"]["values"].as_array().expect("values");
    assert_eq!(values.len(), 256);

    let texts = [
        "Como cancelar meu plano?",
        "Para cancelar o plano, acesse Configurações > Assinatura.",
        "O horário de atendimento é das 8h às 18h.",
    ];
    // rig-core's batch body: snake_case output_dimensionality, model repeated per request.
    let requests: Vec<Value> = texts
        .iter()
        .map(|t| {
            json!({ "model": format!("models/{model}"), "content": { "parts": [{ "text": t }] },
                         "output_dimensionality": 32 })
        })
        .collect();
    let (status, resp) =
        post(&url(&fake, model, "batchEmbedContents", ""), &json!({ "requests": requests })).await;
    assert_eq!(status, 200, "{resp}");
    let vectors: Vec<Vec<f32>> = resp["embeddings"]
        .as_array()
        .expect("embeddings")
        .iter()
        .map(|e| {
            e["values"]
                .as_array()
                .expect("values")
                .iter()
                .map(|x| x.as_f64().expect("f") as f32)
                .collect()
        })
        .collect();
    assert!(vectors.iter().all(|v| v.len() == 32));
    assert_eq!(vectors[0], fakes::ai::embed(texts[0], 32));
    let (related, unrelated) = (cosine(&vectors[0], &vectors[1]), cosine(&vectors[0], &vectors[2]));
    assert!(related > unrelated + 0.3, "related {related}, unrelated {unrelated}");
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());

    let mismatch = json!({ "requests": [{ "model": "models/other", "content": { "parts": [{ "text": "x" }] } }] });
    let (status, _) = post(&url(&fake, model, "batchEmbedContents", ""), &mismatch).await;
    assert_eq!(status, 400);
    assert_eq!(fake.violations().len(), 1);
}

#[tokio::test]
async fn models_are_listed() {
    let fake = fake().await;
    let r = reqwest::get(format!("{}/v1beta/models?pageSize=1000&key={KEY}", fake.base_url()))
        .await
        .expect("request");
    assert_eq!(r.status(), 200);
    let list: Value = r.json().await.expect("json");
    let models = list["models"].as_array().expect("models");
    let flash = models.iter().find(|m| m["name"] == format!("models/{MODEL}")).expect("flash");
    assert!(flash["supportedGenerationMethods"]
        .as_array()
        .is_some_and(|m| m.contains(&json!("generateContent"))));
    assert!(models.iter().any(|m| m["name"] == "models/text-embedding-004"));
}

#[tokio::test]
async fn fail_next_injects_google_errors_and_latency_slows_answers() {
    let fake = fake().await;
    let generate = url(&fake, MODEL, "generateContent", "");
    fake.fail_next(":generateContent", FailureSpec::rate_limited(13), 1);
    fake.fail_next(":generateContent", FailureSpec::server_error(), 1);
    fake.fail_next(":generateContent", FailureSpec::unavailable(), 1);
    let (status, resp) = post(&generate, &hello()).await;
    assert_eq!((status, resp["error"]["status"].as_str()), (429, Some("RESOURCE_EXHAUSTED")));
    assert_eq!(resp["error"]["details"][0]["retryDelay"], "13s");
    let (status, resp) = post(&generate, &hello()).await;
    assert_eq!((status, resp["error"]["status"].as_str()), (500, Some("INTERNAL")));
    let (status, resp) = post(&generate, &hello()).await;
    assert_eq!((status, resp["error"]["status"].as_str()), (503, Some("UNAVAILABLE")));
    assert_eq!(post(&generate, &hello()).await.0, 200);

    fake.set_latency(Duration::from_millis(400));
    let client =
        reqwest::Client::builder().timeout(Duration::from_millis(100)).build().expect("client");
    let r = client.post(&generate).json(&hello()).send().await;
    assert!(r.is_err_and(|e| e.is_timeout()));
}

#[tokio::test]
async fn http_controls_script_and_reset() {
    let fake = fake().await;
    let http = reqwest::Client::new();
    http.post(format!("{}/_fake/script", fake.base_url()))
        .json(&json!({ "when_contains": "hello", "reply": "Oi!" }))
        .send()
        .await
        .expect("script");
    let (_, resp) = post(&url(&fake, MODEL, "generateContent", ""), &hello()).await;
    assert_eq!(resp["candidates"][0]["content"]["parts"][0]["text"], "Oi!");
    let requests: Value = http
        .get(format!("{}/_fake/requests", fake.base_url()))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(requests.as_array().map(Vec::len), Some(1));
    http.post(format!("{}/_fake/reset", fake.base_url())).send().await.expect("reset");
    let (_, resp) = post(&url(&fake, MODEL, "generateContent", ""), &hello()).await;
    assert_eq!(resp["candidates"][0]["content"]["parts"][0]["text"], "Fake answer to: Hello");
}
