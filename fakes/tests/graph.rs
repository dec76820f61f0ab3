//! Behaviour of the fake Graph API, driven over real HTTP.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use fakes::graph::{
    signature_header, FakeGraph, FakeGraphConfig, GraphErrorSpec, PhoneNumber, RequestMatcher,
    StatusUpdate,
};
use serde_json::{json, Value};

const PHONE: &str = "106540352242922";
const TOKEN: &str = "test-token";

async fn fake() -> FakeGraph {
    let fake = FakeGraph::start(FakeGraphConfig::default()).await.expect("fake starts");
    let mut phone = PhoneNumber::new(PHONE, TOKEN);
    phone.waba_id = "419561257915477".into();
    phone.display_phone_number = "15550783881".into();
    fake.add_phone_number(phone);
    fake
}

fn http() -> reqwest::Client {
    reqwest::Client::new()
}

async fn post_json(fake: &FakeGraph, path: &str, body: &Value) -> (u16, Value) {
    let r = http()
        .post(format!("{}{path}", fake.base_url()))
        .bearer_auth(TOKEN)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get(fake: &FakeGraph, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut req = http().get(format!("{}{path}", fake.base_url()));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn text(to: &str, body: &str) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": { "body": body }
    })
}

fn messages() -> String {
    format!("/{PHONE}/messages")
}

#[tokio::test]
async fn spec_loads_and_every_erratum_applies() {
    let fake = fake().await;
    assert!(fake.spec().operations().len() > 100);
    assert!(fake.spec().errata_not_applied().is_empty(), "{:?}", fake.spec().errata_not_applied());
}

#[tokio::test]
async fn a_valid_text_send_is_accepted_and_recorded() {
    let fake = fake().await;
    let (status, body) = post_json(&fake, &messages(), &text("+55 11 98765-4321", "Olá!")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["messaging_product"], "whatsapp");
    assert_eq!(body["contacts"][0]["input"], "+55 11 98765-4321");
    assert_eq!(body["contacts"][0]["wa_id"], "5511987654321");
    let wamid = body["messages"][0]["id"].as_str().expect("wamid");
    assert!(wamid.starts_with("wamid."));

    let sent = fake.sent_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].wamid, wamid);
    assert_eq!(sent[0].body["text"]["body"], "Olá!");
    assert_eq!(sent[0].phone_number_id, PHONE);
    let recorded = fake.requests();
    assert_eq!(recorded[0].operation_id.as_deref(), Some("sendMessage"));
    assert_eq!(recorded[0].status, 200);
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());

    // The answer itself conforms to the spec's response schema.
    let op = fake.spec().operation("sendMessage").expect("op");
    assert!(fake.spec().check_response(op, 200, &body).is_empty());
}

#[tokio::test]
async fn wamids_are_unique() {
    let fake = fake().await;
    for i in 0..5 {
        let (status, _) =
            post_json(&fake, &messages(), &text("5511999990000", &i.to_string())).await;
        assert_eq!(status, 200);
    }
    let mut ids: Vec<String> = fake.sent_messages().into_iter().map(|m| m.wamid).collect();
    ids.dedup();
    assert_eq!(ids.len(), 5);
}

async fn assert_rejected(fake: &FakeGraph, body: Value, expect_in_details: &[&str]) {
    let (status, resp) = post_json(fake, &messages(), &body).await;
    assert_eq!(status, 400, "{resp}");
    assert_eq!(resp["error"]["code"], 100, "{resp}");
    assert_eq!(resp["error"]["message"], "(#100) Invalid parameter");
    assert_eq!(resp["error"]["type"], "OAuthException");
    assert!(resp["error"]["fbtrace_id"].is_string());
    let details = resp["error"]["error_data"]["details"].as_str().expect("details");
    for needle in expect_in_details {
        assert!(details.contains(needle), "details {details:?} lack {needle:?}");
    }
    let violations = fake.violations();
    let last = violations.last().expect("violation recorded");
    for needle in expect_in_details {
        assert!(last.contains(needle), "violation {last:?} lacks {needle:?}");
    }
    assert!(fake.sent_messages().is_empty());
}

#[tokio::test]
async fn a_send_without_to_is_rejected_naming_it() {
    let fake = fake().await;
    let mut body = text("5511999990000", "hi");
    body.as_object_mut().expect("object").remove("to");
    assert_rejected(&fake, body, &["\"to\" is a required property"]).await;
}

#[tokio::test]
async fn a_text_without_body_is_rejected_naming_the_path() {
    let fake = fake().await;
    let mut body = text("5511999990000", "hi");
    body["text"] = json!({ "preview_url": false });
    assert_rejected(&fake, body, &["$.text", "\"body\" is a required property"]).await;
}

#[tokio::test]
async fn a_wrong_type_is_rejected() {
    let fake = fake().await;
    let mut body = text("5511999990000", "hi");
    body["text"]["body"] = json!(42);
    assert_rejected(&fake, body, &["$.text.body", "not of type \"string\""]).await;
}

#[tokio::test]
async fn unknown_fields_and_unknown_message_types_are_rejected() {
    let fake = fake().await;
    let mut body = text("5511999990000", "hi");
    body["txt"] = json!({ "body": "typo" });
    assert_rejected(&fake, body, &["txt"]).await;

    let fake = self::fake().await;
    let mut body = text("5511999990000", "hi");
    body["type"] = json!("hologram");
    assert_rejected(&fake, body, &["$.type", "hologram"]).await;
}

#[tokio::test]
async fn every_send_kind_we_use_is_accepted() {
    let fake = fake().await;
    let media_id = fake.add_media(b"\x89PNG...".to_vec(), "image/png");
    fake.add_template(
        "419561257915477",
        json!({
            "name": "order_update", "language": "pt_BR", "category": "UTILITY",
            "components": [
                { "type": "HEADER", "format": "IMAGE" },
                { "type": "BODY", "text": "Olá {{1}}, seu pedido {{2}} saiu." },
                { "type": "BUTTONS", "buttons": [{ "type": "QUICK_REPLY", "text": "Parar" }] }
            ]
        }),
    );
    let to = "5511999990000";
    let base = |kind: &str, payload: Value| {
        let mut b = json!({ "messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": kind });
        b[kind] = payload;
        b
    };
    let bodies = vec![
        base("text", json!({ "body": "https://example.com", "preview_url": true })),
        base("image", json!({ "id": media_id, "caption": "foto" })),
        base("image", json!({ "link": "https://example.com/a.png" })),
        base("audio", json!({ "id": media_id })),
        base("video", json!({ "link": "https://example.com/a.mp4", "caption": "v" })),
        base("document", json!({ "link": "https://example.com/a.pdf", "filename": "a.pdf" })),
        base("sticker", json!({ "id": media_id })),
        base(
            "location",
            json!({ "latitude": -23.55, "longitude": -46.63, "name": "SP", "address": "Av. Paulista" }),
        ),
        base(
            "contacts",
            json!([{ "name": { "formatted_name": "Ana", "first_name": "Ana" }, "phones": [{ "phone": "+5511999990000", "type": "CELL" }] }]),
        ),
        base("reaction", json!({ "message_id": "wamid.ABC", "emoji": "👍" })),
        base("reaction", json!({ "message_id": "wamid.ABC", "emoji": "" })),
        base(
            "interactive",
            json!({
                "type": "button",
                "body": { "text": "Escolha" },
                "action": { "buttons": [
                    { "type": "reply", "reply": { "id": "yes", "title": "Sim" } },
                    { "type": "reply", "reply": { "id": "no", "title": "Não" } }
                ] }
            }),
        ),
        base(
            "interactive",
            json!({
                "type": "list",
                "header": { "type": "text", "text": "Menu" },
                "body": { "text": "Escolha" },
                "footer": { "text": "rodapé" },
                "action": { "button": "Ver", "sections": [
                    { "title": "A", "rows": [{ "id": "a1", "title": "Um", "description": "d" }] }
                ] }
            }),
        ),
        base(
            "template",
            json!({
                "name": "order_update",
                "language": { "code": "pt_BR" },
                "components": [
                    { "type": "header", "parameters": [{ "type": "image", "image": { "link": "https://example.com/h.png" } }] },
                    { "type": "body", "parameters": [{ "type": "text", "text": "Ana" }, { "type": "text", "text": "#42" }] },
                    { "type": "button", "sub_type": "quick_reply", "index": "0", "parameters": [{ "type": "payload", "payload": "STOP" }] }
                ]
            }),
        ),
        json!({ "messaging_product": "whatsapp", "context": { "message_id": "wamid.prev" }, "to": to, "type": "text", "text": { "body": "reply" } }),
    ];
    for body in bodies {
        let (status, resp) = post_json(&fake, &messages(), &body).await;
        assert_eq!(status, 200, "rejected {body}\n→ {resp}");
    }
    let (status, resp) = post_json(
        &fake,
        &messages(),
        &json!({ "messaging_product": "whatsapp", "status": "read", "message_id": "wamid.X", "typing_indicator": { "type": "text" } }),
    )
    .await;
    assert_eq!((status, resp), (200, json!({ "success": true })));
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
}

/// Meta's own request examples for `sendMessage`, straight from the spec, are accepted — the
/// proof that the validator (with its errata) does not reject valid input. The few examples that
/// are themselves invalid are listed with the reason.
#[tokio::test]
async fn metas_own_send_examples_are_accepted() {
    const BROKEN_EXAMPLES: &[(&str, &str)] = &[
        ("Send Multi-Product Message", "header.type is the placeholder `<HEADER_TYPE>`"),
        ("Send Reply to List Message", "omits `type: interactive`, so Meta reads it as text"),
        ("Send Sample Issue Resolution Template", "button parameter `text` is a boolean"),
        ("Send Order Details Message", "payments `order_details` is absent from InteractiveObject"),
        ("Send Order Status Message", "payments `order_status` is absent from InteractiveObject"),
    ];
    let fake = FakeGraph::start(FakeGraphConfig { strict_templates: false, ..Default::default() })
        .await
        .expect("fake starts");
    fake.add_phone_number(PhoneNumber::new(PHONE, TOKEN));
    let op = fake.spec().operation("sendMessage").expect("sendMessage in spec");
    let examples = op.body_examples(fake.spec(), "application/json");
    assert!(examples.len() >= 40, "only {} examples", examples.len());
    let mut failures = Vec::new();
    let mut broken_seen = 0;
    for (name, example) in examples {
        let (status, resp) = post_json(&fake, &messages(), example).await;
        let broken = BROKEN_EXAMPLES.iter().any(|(n, _)| *n == name);
        match (broken, status) {
            (false, 200) => {}
            (true, 400) => broken_seen += 1,
            _ => failures.push(format!("{name}: {status} {resp}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(broken_seen, BROKEN_EXAMPLES.len(), "a broken example was fixed upstream");
}

#[tokio::test]
async fn an_unknown_path_is_rejected_and_recorded() {
    let fake = fake().await;
    let (status, resp) = post_json(&fake, &format!("/{PHONE}/mesages"), &text("1", "x")).await;
    assert_eq!(status, 400);
    assert_eq!(resp["error"]["code"], 2500);
    assert!(fake.violations()[0].contains("no path template"), "{:?}", fake.violations());
}

#[tokio::test]
async fn a_method_the_spec_lacks_is_rejected_and_recorded() {
    let fake = fake().await;
    let r = http()
        .put(format!("{}/{PHONE}/messages", fake.base_url()))
        .bearer_auth(TOKEN)
        .json(&text("1", "x"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"]["code"], 100);
    assert_eq!(body["error"]["error_subcode"], 33);
    assert!(fake.violations()[0].contains("defines no PUT"), "{:?}", fake.violations());
}

#[tokio::test]
async fn spec_operations_the_fake_lacks_answer_a_graph_error() {
    let fake = fake().await;
    let (status, resp) =
        get(&fake, &format!("/{PHONE}/whatsapp_business_profile"), Some(TOKEN)).await;
    assert_eq!(status, 501);
    assert!(resp["error"]["message"].as_str().expect("msg").contains("does not implement"));
    assert!(fake.violations()[0].contains("not implemented"));
}

#[tokio::test]
async fn a_bad_token_gets_401_code_190_and_no_token_104() {
    let fake = fake().await;
    let (status, resp) = get(&fake, &format!("/{PHONE}"), Some("nope")).await;
    assert_eq!(status, 401);
    assert_eq!(resp["error"]["code"], 190);
    assert_eq!(resp["error"]["type"], "OAuthException");
    assert!(resp["error"]["message"]
        .as_str()
        .expect("msg")
        .starts_with("Invalid OAuth access token"));
    let (status, resp) = get(&fake, &format!("/{PHONE}"), None).await;
    assert_eq!(status, 401);
    assert_eq!(resp["error"]["code"], 104);
}

#[tokio::test]
async fn a_token_cannot_use_another_businesss_number() {
    let fake = fake().await;
    fake.add_token("other-token");
    let (status, resp) = get(&fake, &format!("/{PHONE}"), Some("other-token")).await;
    assert_eq!(status, 400);
    assert_eq!(resp["error"]["error_subcode"], 33);
}

#[tokio::test]
async fn phone_number_info_is_spec_shaped_and_honours_fields() {
    let fake = fake().await;
    let (status, body) = get(&fake, &format!("/{PHONE}"), Some(TOKEN)).await;
    assert_eq!(status, 200);
    assert_eq!(body["id"], PHONE);
    assert_eq!(body["quality_rating"], "GREEN");
    assert!(body["verified_name"].is_string() && body["display_phone_number"].is_string());
    let op = fake.spec().operation("getPhoneNumberById").expect("op");
    assert!(fake.spec().check_response(op, 200, &body).is_empty());

    let (status, body) = get(&fake, &format!("/{PHONE}?fields=name_status"), Some(TOKEN)).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({ "id": PHONE, "name_status": "APPROVED" }));

    let (status, body) = get(&fake, &format!("/{PHONE}?fields=bogus"), Some(TOKEN)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(fake.violations().len(), 1);
}

#[tokio::test]
async fn template_list_paginates_with_cursors() {
    let fake = fake().await;
    let waba = "419561257915477";
    for i in 0..5 {
        fake.add_template(
            waba,
            json!({ "name": format!("t{i}"), "language": "en_US", "category": "MARKETING",
                    "components": [{ "type": "BODY", "text": "hi" }] }),
        );
    }
    fake.add_template("999", json!({ "name": "elsewhere", "language": "en_US" }));
    let mut names = Vec::new();
    let mut path = format!("/{waba}/message_templates?limit=2");
    let mut pages = 0;
    loop {
        let (status, body) = get(&fake, &path, Some(TOKEN)).await;
        assert_eq!(status, 200, "{body}");
        pages += 1;
        for t in body["data"].as_array().expect("data") {
            names.push(t["name"].as_str().expect("name").to_string());
        }
        let Some(after) = body["paging"]["cursors"]["after"].as_str() else { break };
        if body["paging"]["next"].is_null() {
            break;
        }
        path = format!("/{waba}/message_templates?limit=2&after={after}");
    }
    assert_eq!(pages, 3);
    assert_eq!(names, ["t0", "t1", "t2", "t3", "t4"]);

    let (_, body) = get(&fake, &format!("/{waba}/message_templates?name=t3"), Some(TOKEN)).await;
    assert_eq!(body["data"].as_array().map(Vec::len), Some(1));
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
}

#[tokio::test]
async fn template_create_answers_pending_and_then_lists_it() {
    let fake = fake().await;
    let waba = "419561257915477";
    let create = json!({
        "name": "promo", "language": "pt_BR", "category": "MARKETING",
        "components": [{ "type": "body", "text": "Oferta {{1}}" }]
    });
    let (status, body) = post_json(&fake, &format!("/{waba}/message_templates"), &create).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "PENDING");
    assert_eq!(body["category"], "MARKETING");
    let id = body["id"].as_str().expect("id").to_string();

    let (status, again) = post_json(&fake, &format!("/{waba}/message_templates"), &create).await;
    assert_eq!(status, 400, "{again}");

    let (status, t) = get(&fake, &format!("/{id}"), Some(TOKEN)).await;
    assert_eq!(status, 200);
    assert_eq!(t["name"], "promo");

    let (status, body) =
        post_json(&fake, &format!("/{waba}/message_templates"), &json!({ "name": "x" })).await;
    assert_eq!(status, 400, "{body}");
    assert!(fake.violations().last().expect("violation").contains("category"));
}

#[tokio::test]
async fn template_sends_must_match_a_seeded_approved_template() {
    let fake = fake().await;
    fake.add_template(
        "419561257915477",
        json!({ "name": "hello", "language": "en_US", "category": "UTILITY",
                "components": [{ "type": "BODY", "text": "Hi {{1}}" }] }),
    );
    let send = |name: &str, params: Value| {
        json!({ "messaging_product": "whatsapp", "to": "15551234567", "type": "template",
                "template": { "name": name, "language": { "code": "en_US" },
                              "components": [{ "type": "body", "parameters": params }] } })
    };
    let (status, resp) =
        post_json(&fake, &messages(), &send("nope", json!([{ "type": "text", "text": "a" }])))
            .await;
    assert_eq!((status, resp["error"]["code"].clone()), (400, json!(132001)));
    let (status, resp) = post_json(&fake, &messages(), &send("hello", json!([]))).await;
    assert_eq!((status, resp["error"]["code"].clone()), (400, json!(132000)));
    let (status, resp) =
        post_json(&fake, &messages(), &send("hello", json!([{ "type": "text", "text": "a" }])))
            .await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(resp["messages"][0]["message_status"], "accepted");
}

fn multipart(fields: &[(&str, &str)], file: &[u8], mime: &str) -> (String, Vec<u8>) {
    let boundary = "----fakegraphboundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.bin\"\r\nContent-Type: {mime}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn media_upload_then_url_then_download_with_token() {
    let fake = fake().await;
    let bytes = b"fake jpeg bytes".to_vec();
    let (ct, body) = multipart(
        &[("messaging_product", "whatsapp"), ("type", "image/jpeg")],
        &bytes,
        "image/jpeg",
    );
    let r = http()
        .post(format!("{}/{PHONE}/media", fake.base_url()))
        .bearer_auth(TOKEN)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), 200);
    let id = r.json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    assert_eq!(fake.requests()[0].body.field("messaging_product"), Some("whatsapp"));

    let (status, info) = get(&fake, &format!("/{id}"), Some(TOKEN)).await;
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["mime_type"], "image/jpeg");
    assert_eq!(info["id"], id.as_str());
    assert_eq!(info["file_size"], bytes.len().to_string());
    assert_eq!(info["messaging_product"], "whatsapp");
    let url = info["url"].as_str().expect("url").to_string();
    assert!(url.starts_with(fake.origin()));
    let op = fake.spec().operation("retrieveMediaUrl").expect("op");
    assert!(fake.spec().check_response(op, 200, &info).is_empty());

    let r = http().get(&url).bearer_auth(TOKEN).send().await.expect("download");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert_eq!(r.bytes().await.expect("bytes").to_vec(), bytes);

    let r = http().get(&url).send().await.expect("download");
    assert_eq!(r.status(), 401);

    let r = http()
        .delete(format!("{}/{id}", fake.base_url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), 200);
    let (status, _) = get(&fake, &format!("/{id}"), Some(TOKEN)).await;
    assert_eq!(status, 400);
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
}

#[tokio::test]
async fn seeded_inbound_media_can_be_fetched() {
    let fake = fake().await;
    let id = fake.add_media(b"ogg".to_vec(), "audio/ogg");
    let (status, info) = get(&fake, &format!("/{id}"), Some(TOKEN)).await;
    assert_eq!(status, 200);
    assert_eq!(info["mime_type"], "audio/ogg");
    use sha2::Digest;
    assert_eq!(info["sha256"], hex::encode(sha2::Sha256::digest(b"ogg")));
}

#[tokio::test]
async fn rate_limit_answers_130429_beyond_the_limit() {
    let fake = fake().await;
    fake.set_rate_limit(2);
    let mut codes = Vec::new();
    for _ in 0..10 {
        let (status, resp) = post_json(&fake, &messages(), &text("15551234567", "x")).await;
        codes.push((status, resp["error"]["code"].as_i64()));
    }
    let limited = codes.iter().filter(|c| **c == (400, Some(130429))).count();
    let ok = codes.iter().filter(|c| c.0 == 200).count();
    assert!(ok >= 2, "{codes:?}");
    assert!(limited >= 1, "{codes:?}");
    assert_eq!(ok + limited, 10, "{codes:?}");
    assert_eq!(fake.sent_messages().len(), ok);
}

#[tokio::test]
async fn fail_next_injects_exactly_times() {
    let fake = fake().await;
    let err = GraphErrorSpec::new(131047, "(#131047) Re-engagement message")
        .details("Message failed to send because more than 24 hours have passed");
    fake.fail_next("/messages", err, 2);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let (status, resp) = post_json(&fake, &messages(), &text("15551234567", "x")).await;
        statuses.push((status, resp["error"]["code"].as_i64()));
    }
    assert_eq!(statuses, [(400, Some(131047)), (400, Some(131047)), (200, None), (200, None)]);
    // Other paths are untouched.
    fake.fail_next(
        RequestMatcher::path_suffix("/media").method("POST"),
        GraphErrorSpec::new(1, "x").status(500),
        1,
    );
    let (status, _) = post_json(&fake, &messages(), &text("15551234567", "x")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn latency_delays_answers() {
    let fake = fake().await;
    fake.set_latency(Duration::from_millis(150));
    let started = std::time::Instant::now();
    let (status, _) = get(&fake, &format!("/{PHONE}"), Some(TOKEN)).await;
    assert_eq!(status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

type Captured = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

async fn webhook_receiver() -> (String, Captured) {
    let captured: Captured = Arc::default();
    let c = captured.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let c = c.clone();
            async move {
                c.lock().expect("lock").push((headers, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), captured)
}

#[test]
fn signer_matches_the_published_vectors() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance/whatsapp_signature_vectors.json");
    let vectors: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("vectors")).expect("json");
    let cases = vectors["cases"].as_array().expect("cases");
    assert!(cases.len() >= 3);
    for case in cases {
        let secret = case["app_secret"].as_str().expect("secret");
        let body = case["body"].as_str().expect("body");
        let expected = case["expected_hex"].as_str().expect("hex");
        assert_eq!(signature_header(secret, body.as_bytes()), format!("sha256={expected}"));
    }
}

#[tokio::test]
async fn emitted_webhooks_are_metas_shape_and_verify() {
    let fake = fake().await;
    let (url, captured) = webhook_receiver().await;
    fake.set_webhook(&url, "app-secret");

    let delivery = fake.emit_inbound_text("5511987654321", "Ana", "Oi").await.expect("inbound");
    assert_eq!(delivery.status, Some(200));
    let (_, sent_body) = post_json(&fake, &messages(), &text("5511987654321", "Olá")).await;
    let wamid = sent_body["messages"][0]["id"].as_str().expect("wamid").to_string();
    fake.emit_status(&wamid, StatusUpdate::Delivered).await.expect("status");
    fake.emit_status(
        &wamid,
        StatusUpdate::Failed {
            code: 131026,
            title: "Message undeliverable".into(),
            details: "x".into(),
        },
    )
    .await
    .expect("failed status");

    let got = captured.lock().expect("lock").clone();
    assert_eq!(got.len(), 3);
    for (headers, body) in &got {
        let sig = headers["x-hub-signature-256"].to_str().expect("ascii");
        assert_eq!(sig, signature_header("app-secret", body));
        assert_eq!(headers["content-type"], "application/json");
    }
    let inbound: Value = serde_json::from_slice(&got[0].1).expect("json");
    // Same skeleton as Meta's own text_message.json example.
    let example_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance/meta-openapi/webhook_examples/text_message.json");
    let example: Value =
        serde_json::from_str(&std::fs::read_to_string(example_path).expect("example"))
            .expect("json");
    assert_eq!(shape(&inbound), shape(&example));
    let value = &inbound["entry"][0]["changes"][0]["value"];
    assert_eq!(inbound["entry"][0]["id"], "419561257915477");
    assert_eq!(value["metadata"]["phone_number_id"], PHONE);
    assert_eq!(value["messages"][0]["text"]["body"], "Oi");
    assert_eq!(value["contacts"][0]["profile"]["name"], "Ana");
    assert_eq!(value["messages"][0]["id"], delivery.wamid.clone().expect("wamid").as_str());

    let status: Value = serde_json::from_slice(&got[1].1).expect("json");
    let st = &status["entry"][0]["changes"][0]["value"]["statuses"][0];
    assert_eq!(st["id"], wamid.as_str());
    assert_eq!(st["status"], "delivered");
    assert_eq!(st["recipient_id"], "5511987654321");
    let failed: Value = serde_json::from_slice(&got[2].1).expect("json");
    assert_eq!(
        failed["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"][0]["code"],
        131026
    );
    assert_eq!(fake.webhook_deliveries().len(), 3);
}

/// The key structure of a JSON value (object keys and nesting, not values).
fn shape(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
        Value::Array(a) => Value::Array(a.iter().take(1).map(shape).collect()),
        _ => Value::Null,
    }
}

#[tokio::test]
async fn auto_status_emits_sent_then_delivered() {
    let fake = fake().await;
    let (url, captured) = webhook_receiver().await;
    fake.set_webhook(&url, "s");
    fake.set_auto_status(true);
    let (status, _) = post_json(&fake, &messages(), &text("15551234567", "x")).await;
    assert_eq!(status, 200);
    for _ in 0..100 {
        if captured.lock().expect("lock").len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let got = captured.lock().expect("lock").clone();
    let statuses: Vec<Value> = got
        .iter()
        .map(|(_, b)| {
            serde_json::from_slice::<Value>(b).expect("json")["entry"][0]["changes"][0]["value"]
                ["statuses"][0]["status"]
                .clone()
        })
        .collect();
    assert_eq!(statuses, [json!("sent"), json!("delivered")]);
}

#[tokio::test]
async fn control_endpoint_emits_inbound() {
    let fake = fake().await;
    let (url, captured) = webhook_receiver().await;
    fake.set_webhook(&url, "s");
    let r = http()
        .post(format!("{}/_fake/inbound", fake.origin()))
        .json(&json!({ "from": "5511987654321", "name": "Ana", "text": "oi" }))
        .send()
        .await
        .expect("control");
    assert_eq!(r.status(), 200);
    assert_eq!(captured.lock().expect("lock").len(), 1);
}

#[tokio::test]
async fn control_endpoint_points_webhooks_at_a_new_url() {
    let fake = fake().await;
    let (first, first_captured) = webhook_receiver().await;
    fake.set_webhook(&first, "old");
    let (second, captured) = webhook_receiver().await;
    let control =
        |body: Value| http().post(format!("{}/_fake/webhook", fake.origin())).json(&body).send();

    let r = control(json!({ "url": second, "app_secret": "new-secret" })).await.expect("control");
    assert_eq!(r.status(), 200);
    fake.emit_inbound_text("5511987654321", "Ana", "Oi").await.expect("inbound");
    assert!(first_captured.lock().expect("lock").is_empty(), "the old URL got a webhook");
    let got = captured.lock().expect("lock").clone();
    assert_eq!(got.len(), 1);
    let (headers, body) = &got[0];
    let sig = headers["x-hub-signature-256"].to_str().expect("ascii");
    assert_eq!(sig, signature_header("new-secret", body), "signed with the new secret");

    for bad in [json!({ "url": second }), json!({ "url": "not a url", "app_secret": "s" })] {
        let r = control(bad).await.expect("control");
        assert_eq!(r.status(), 400);
    }
}

#[tokio::test]
async fn template_parameters_are_checked_by_their_subtype() {
    let fake = FakeGraph::start(FakeGraphConfig { strict_templates: false, ..Default::default() })
        .await
        .expect("fake starts");
    fake.add_phone_number(PhoneNumber::new(PHONE, TOKEN));
    let body = json!({
        "messaging_product": "whatsapp", "to": "15551234567", "type": "template",
        "template": { "name": "t", "language": { "code": "en_US" }, "components": [
            { "type": "body", "parameters": [{ "type": "txt", "text": "a" }] }
        ] }
    });
    assert_rejected(&fake, body, &["$.template.components[0].parameters[0].type", "txt"]).await;
}
