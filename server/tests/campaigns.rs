//! Campaigns end to end against the fake Graph API (which checks every send against Meta's
//! OpenAPI document), on SQLite and PostgreSQL: audiences and exclusions, personalised values,
//! retries by error code, pausing on account-wide errors, pause/resume/cancel, a crash in the
//! middle of a campaign, rate limits, status webhooks, replies, schedules and tenant isolation.

mod common;

use std::{collections::HashMap, time::Duration};

use chrono::TimeDelta;
use common::{error_code, CloudConnection, TestApp, TestUser};
use fakes::graph::{FakeGraph, FakeGraphConfig, GraphErrorSpec, PhoneNumber, StatusUpdate};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use server::db::entities::{campaign_recipients, jobs};

const PHONE_NUMBER_ID: &str = "106540352242922";
const WABA_ID: &str = "102290129340398";

struct World {
    app: TestApp,
    fake: FakeGraph,
    user: TestUser,
    connection: CloudConnection,
}

async fn world_with(configure: impl FnOnce(&mut server::config::Config)) -> World {
    let fake = FakeGraph::start(FakeGraphConfig::default()).await.expect("fake Graph starts");
    let mut number = PhoneNumber::new(PHONE_NUMBER_ID, "EAAG-test-token");
    number.waba_id = WABA_ID.into();
    fake.add_phone_number(number);
    fake.add_template(
        WABA_ID,
        json!({"name": "promo", "language": "pt_BR", "category": "MARKETING", "status": "APPROVED",
               "components": [{"type": "BODY", "text": "Olá {{1}}, use o cupom {{2}}."}]}),
    );
    let (mut config, data_dir) = common::test_config().await;
    config.graph_api_base = fake.base_url();
    config.campaign_retry_base_ms = 10;
    configure(&mut config);
    let app = common::spawn_with(config, data_dir).await;
    let user = app.verified_user("Acme").await;
    let connection = app.cloud_connection(&user, PHONE_NUMBER_ID).await;
    fake.set_webhook(app.url(&connection.webhook_path), connection.app_secret.clone());
    let synced = user
        .session
        .post(&format!("/api/v1/connections/{}/templates/sync", connection.id), json!({}))
        .await;
    assert_eq!(synced.status(), StatusCode::OK);
    World { app, fake, user, connection }
}

async fn world() -> World {
    world_with(|_| {}).await
}

/// `n` contacts `+5511990000000`, `+5511990000001`, ... named "Cliente <i> Silva", tagged.
async fn contacts(user: &TestUser, n: usize, tag: &str) -> Vec<String> {
    let mut csv = String::from("phone,name,tags\n");
    let mut phones = Vec::new();
    for i in 0..n {
        let phone = format!("+55119900{i:05}");
        csv.push_str(&format!("{phone},Cliente {i} Silva,{tag}\n"));
        phones.push(phone);
    }
    let response = user.session.upload("/api/v1/contacts/import", "text/csv", csv).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    phones
}

async fn contact_id(user: &TestUser, phone: &str) -> String {
    let q = phone.trim_start_matches('+');
    let page: Value =
        user.session.get(&format!("/api/v1/contacts?q={q}")).await.json().await.unwrap();
    page["items"][0]["id"].as_str().expect("contact").to_owned()
}

impl World {
    async fn campaign(&self, body: Value) -> Value {
        let mut request = json!({
            "name": "Black Friday",
            "connection_id": self.connection.id,
            "template": {"name": "promo", "language": "pt_BR",
                         "variables": ["{{contact.first_name|cliente}}", "BLACK20"]},
            "audience": {"tags": ["vip"]},
        });
        if let (Some(request), Some(extra)) = (request.as_object_mut(), body.as_object()) {
            for (k, v) in extra {
                request.insert(k.clone(), v.clone());
            }
        }
        let response = self.user.session.post("/api/v1/campaigns", request).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }

    async fn act(&self, id: &str, verb: &str) -> (StatusCode, Value) {
        let response =
            self.user.session.post(&format!("/api/v1/campaigns/{id}/{verb}"), json!({})).await;
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, id: &str) -> Value {
        self.user.session.get(&format!("/api/v1/campaigns/{id}")).await.json().await.unwrap()
    }

    /// Runs the sender (and the webhook processing it causes) until the campaign leaves
    /// `running`, or gives up after `seconds`.
    async fn run_until_settled(&self, id: &str, seconds: u64) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
        loop {
            self.app.state.sending.drain().await.unwrap();
            self.app.drain_jobs().await;
            let campaign = self.get(id).await;
            if campaign["status"] != "running" || tokio::time::Instant::now() > deadline {
                return campaign;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn recipients(&self, id: &str, status: &str) -> Vec<Value> {
        let page: Value = self
            .user
            .session
            .get(&format!("/api/v1/campaigns/{id}/recipients?limit=200&status={status}"))
            .await
            .json()
            .await
            .unwrap();
        page["items"].as_array().cloned().unwrap_or_default()
    }

    /// Sends accepted by the fake, by recipient number (digits).
    fn sends_by_number(&self) -> HashMap<String, usize> {
        let mut by = HashMap::new();
        for sent in self.fake.sent_messages() {
            *by.entry(sent.to().unwrap_or_default().to_owned()).or_default() += 1;
        }
        by
    }

    fn assert_no_violations(&self) {
        assert!(self.fake.violations().is_empty(), "{:#?}", self.fake.violations());
    }
}

#[tokio::test]
async fn a_campaign_reaches_every_sendable_contact_once_with_their_own_values() {
    let w = world().await;
    let phones = contacts(&w.user, 30, "vip").await;
    // Three of them opted out; one contact outside the audience.
    for phone in &phones[..3] {
        let id = contact_id(&w.user, phone).await;
        let response = w
            .user
            .session
            .patch(&format!("/api/v1/contacts/{id}"), json!({"opted_out": true}))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    w.user
        .session
        .post("/api/v1/contacts", json!({"phone": "+5521988887777", "name": "Fora"}))
        .await;

    // The preview counts before the start, and fills the values per person.
    let preview: Value = w
        .user
        .session
        .post(
            "/api/v1/campaigns/preview",
            json!({"audience": {"tags": ["vip"]}, "connection_id": w.connection.id,
                   "template": {"name": "promo", "language": "pt_BR",
                                "variables": ["{{contact.first_name|cliente}}", "BLACK20"]}}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(preview["matched"], 30, "{preview}");
    assert_eq!(preview["excluded"]["opted_out"], 3);
    assert_eq!(preview["recipients"], 27);
    assert_eq!(preview["samples"][0]["body"], "Olá Cliente, use o cupom BLACK20.");

    let campaign = w.campaign(json!({})).await;
    let id = campaign["id"].as_str().unwrap();
    assert_eq!(campaign["status"], "draft");
    assert_eq!(campaign["rate_per_second"], 80, "Meta's default throughput");
    // A draft sends nothing.
    w.app.state.sending.drain().await.unwrap();
    assert!(w.fake.sent_messages().is_empty());

    let (status, started) = w.act(id, "start").await;
    assert_eq!(status, StatusCode::OK, "{started}");
    assert_eq!(started["status"], "running");
    assert_eq!(started["counts"]["total"], 27);
    assert_eq!(started["excluded"]["opted_out"], 3);
    let (again, body) = w.act(id, "start").await;
    assert_eq!(again, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "invalid_state");

    let done = w.run_until_settled(id, 30).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["counts"]["sent"], 27);
    assert_eq!(done["counts"]["pending"], 0);
    assert_eq!(done["counts"]["failed"], 0);

    let by_number = w.sends_by_number();
    assert_eq!(by_number.len(), 27);
    assert!(by_number.values().all(|n| *n == 1), "each recipient exactly once: {by_number:?}");
    for phone in &phones[..3] {
        assert!(!by_number.contains_key(phone.trim_start_matches('+')), "{phone} opted out");
    }
    let first = w
        .fake
        .sent_messages()
        .into_iter()
        .find(|m| m.to() == Some("5511990000003"))
        .expect("the fourth contact got it");
    assert_eq!(first.body["template"]["name"], "promo");
    assert_eq!(
        first.body["template"]["components"][0]["parameters"][0]["text"], "Cliente",
        "first name filled in"
    );
    let tag = first.body["biz_opaque_callback_data"].as_str().unwrap();
    assert!(tag.starts_with("mia-cr:"), "{tag}");
    w.assert_no_violations();

    // Statuses from Meta move recipients along the funnel.
    let wamids: Vec<String> = w.fake.sent_messages().iter().map(|m| m.wamid.clone()).collect();
    for wamid in &wamids[..10] {
        w.fake.emit_status(wamid, StatusUpdate::Delivered).await.unwrap();
    }
    for wamid in &wamids[..4] {
        w.fake.emit_status(wamid, StatusUpdate::Read).await.unwrap();
    }
    w.fake
        .emit_status(
            &wamids[20],
            StatusUpdate::Failed {
                code: 131049,
                title: "This message was not delivered to maintain healthy ecosystem engagement."
                    .into(),
                details: "Marketing per-user limit".into(),
            },
        )
        .await
        .unwrap();
    w.app.drain_jobs().await;
    let counts = w.get(id).await["counts"].clone();
    assert_eq!(counts["sent"], 26, "{counts}");
    assert_eq!(counts["delivered"], 10);
    assert_eq!(counts["read"], 4);
    assert_eq!(counts["failed"], 1);

    let report: Value =
        w.user.session.get(&format!("/api/v1/campaigns/{id}/report")).await.json().await.unwrap();
    assert_eq!(report["failures"][0]["error_code"], 131049, "{report}");
    assert_eq!(report["failures"][0]["count"], 1);
    let minutes: u64 =
        report["timeline"].as_array().unwrap().iter().map(|p| p["sent"].as_u64().unwrap()).sum();
    assert_eq!(minutes, 27);

    let csv = w.user.session.get(&format!("/api/v1/campaigns/{id}/recipients/export")).await;
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().await.unwrap();
    assert_eq!(csv.lines().count(), 28, "header + 27 recipients");
    assert!(csv.lines().any(|l| l.contains("+5511990000003") && l.contains("read")), "{csv}");
    assert_eq!(w.recipients(id, "failed").await.len(), 1);
}

#[tokio::test]
async fn errors_are_handled_by_their_code_and_one_failure_never_stops_the_campaign() {
    let w = world().await;
    contacts(&w.user, 6, "vip").await;
    let campaign = w
        .campaign(json!({"template": {"name": "promo", "language": "pt_BR",
                          "variables": ["{{contact.first_name}}", "{{contact.plan|BLACK20}}"]}}))
        .await;
    let id = campaign["id"].as_str().unwrap();
    // In queue order: throttled (retry, the number cools down), undeliverable (final at once),
    // service unavailable (retry), then fine.
    w.fake.fail_next("/messages", GraphErrorSpec::new(130429, "(#130429) Rate limit hit"), 1);
    w.fake.fail_next(
        "/messages",
        GraphErrorSpec::new(131026, "(#131026) Message undeliverable").status(400),
        1,
    );
    w.fake.fail_next(
        "/messages",
        GraphErrorSpec::new(131016, "(#131016) Service unavailable").status(503),
        1,
    );
    assert_eq!(w.act(id, "start").await.0, StatusCode::OK);
    let done = w.run_until_settled(id, 30).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["counts"]["sent"], 5, "{done}");
    assert_eq!(done["counts"]["failed"], 1);
    let failed = w.recipients(id, "failed").await;
    assert_eq!(failed[0]["error_code"], 131026);
    assert!(
        failed[0]["error_message"].as_str().unwrap().contains("could not be delivered"),
        "{failed:?}"
    );
    assert_eq!(failed[0]["attempts"], 1, "a permanent error is not retried");
    let retried: Vec<Value> = w
        .recipients(id, "sent")
        .await
        .into_iter()
        .filter(|r| r["attempts"].as_i64().unwrap() > 1)
        .collect();
    assert_eq!(retried.len(), 2, "the throttled one and the 503 were retried: {retried:?}");
    assert_eq!(w.sends_by_number().len(), 5);
    w.assert_no_violations();
}

#[tokio::test]
async fn a_retryable_error_gives_up_after_the_configured_attempts() {
    let w = world_with(|c| c.campaign_max_attempts = 3).await;
    contacts(&w.user, 1, "vip").await;
    let campaign = w.campaign(json!({})).await;
    let id = campaign["id"].as_str().unwrap();
    w.fake.fail_next(
        "/messages",
        GraphErrorSpec::new(131000, "(#131000) Something went wrong").status(500),
        10,
    );
    w.act(id, "start").await;
    let done = w.run_until_settled(id, 30).await;
    assert_eq!(done["status"], "completed", "{done}");
    let failed = w.recipients(id, "failed").await;
    assert_eq!(failed[0]["attempts"], 3);
    assert!(failed[0]["error_message"].as_str().unwrap().starts_with("Gave up after 3 attempts"));
    let calls = w.fake.requests().iter().filter(|r| r.path.ends_with("/messages")).count();
    assert_eq!(calls, 3);
}

#[tokio::test]
async fn an_invalid_token_pauses_the_campaign_instead_of_failing_everyone() {
    let w = world().await;
    contacts(&w.user, 5, "vip").await;
    let campaign = w.campaign(json!({})).await;
    let id = campaign["id"].as_str().unwrap();
    w.fake.fail_next(
        "/messages",
        GraphErrorSpec::new(190, "Invalid OAuth access token.").status(401),
        1,
    );
    w.act(id, "start").await;
    let paused = w.run_until_settled(id, 10).await;
    assert_eq!(paused["status"], "paused", "{paused}");
    assert!(paused["last_error"].as_str().unwrap().contains("access token"), "{paused}");
    assert_eq!(paused["counts"]["failed"], 0, "nobody is marked failed for the token");
    // Calls already in flight when Meta refused the token may have gone through.
    let sent_before = paused["counts"]["sent"].as_u64().unwrap();
    assert!(sent_before < 5, "{paused}");
    assert_eq!(paused["counts"]["pending"].as_u64().unwrap(), 5 - sent_before);

    // The token is fixed (the fake accepts again): resume goes on where it stopped.
    let (status, resumed) = w.act(id, "resume").await;
    assert_eq!(status, StatusCode::OK, "{resumed}");
    assert_eq!(resumed["last_error"], Value::Null);
    let done = w.run_until_settled(id, 30).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["counts"]["sent"], 5);
    let attempts: Vec<i64> =
        w.recipients(id, "sent").await.iter().map(|r| r["attempts"].as_i64().unwrap()).collect();
    assert!(attempts.iter().all(|a| *a == 1), "the refused call is not counted: {attempts:?}");
}

#[tokio::test]
async fn pause_resume_and_cancel_take_effect_without_losing_or_repeating_anyone() {
    let w = world().await;
    contacts(&w.user, 40, "vip").await;
    let campaign = w.campaign(json!({"rate_per_second": 20})).await;
    let id = campaign["id"].as_str().unwrap().to_owned();
    w.act(&id, "start").await;

    // Paused before the sender ran: nothing goes out.
    let (status, paused) = w.act(&id, "pause").await;
    assert_eq!(status, StatusCode::OK, "{paused}");
    w.app.state.sending.drain().await.unwrap();
    assert!(w.fake.sent_messages().is_empty());
    assert_eq!(w.act(&id, "pause").await.0, StatusCode::CONFLICT);

    // Resumed, then paused while sending: what was claimed goes back.
    w.act(&id, "resume").await;
    let sender = {
        let sending = w.app.state.sending.clone();
        tokio::spawn(async move { sending.drain().await })
    };
    while w.fake.sent_messages().len() < 5 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let (_, paused) = w.act(&id, "pause").await;
    assert_eq!(paused["status"], "paused");
    sender.await.unwrap().unwrap();
    let sent_while_paused = w.fake.sent_messages().len();
    assert!(sent_while_paused < 40, "the pause stopped it ({sent_while_paused} sent)");
    let campaign = w.get(&id).await;
    assert_eq!(
        campaign["counts"]["sent"].as_u64().unwrap()
            + campaign["counts"]["pending"].as_u64().unwrap(),
        40,
        "{campaign}"
    );
    let held = campaign_recipients::Entity::find()
        .filter(campaign_recipients::Column::Status.is_in(["claimed", "sending"]))
        .all(&w.app.state.db)
        .await
        .unwrap();
    assert!(held.is_empty(), "claims were handed back: {held:?}");

    // Cancel: the rest is never sent.
    let (status, cancelled) = w.act(&id, "cancel").await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(
        cancelled["counts"]["cancelled"].as_u64().unwrap(),
        40 - sent_while_paused as u64,
        "{cancelled}"
    );
    w.app.state.sending.drain().await.unwrap();
    assert_eq!(w.fake.sent_messages().len(), sent_while_paused);
    assert!(w.sends_by_number().values().all(|n| *n == 1));
    assert_eq!(w.act(&id, "resume").await.0, StatusCode::CONFLICT);
    let deleted = w.user.session.delete(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_crash_mid_campaign_still_reaches_each_recipient_exactly_once() {
    let w = world().await;
    contacts(&w.user, 40, "vip").await;
    // Meta acts on each request but answers late, and reports statuses by webhook.
    w.fake.set_answer_delay(Duration::from_millis(150));
    w.fake.set_auto_status(true);
    let campaign = w.campaign(json!({"rate_per_second": 40})).await;
    let id = campaign["id"].as_str().unwrap().to_owned();
    w.act(&id, "start").await;

    // The sender dies mid-campaign: calls in flight are cut, their answers lost.
    let sender = {
        let sending = w.app.state.sending.clone();
        tokio::spawn(async move { sending.drain().await })
    };
    while w.fake.sent_messages().len() < 10 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    sender.abort();
    let _ = sender.await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = w.fake.sent_messages().len();
    let stuck = campaign_recipients::Entity::find()
        .filter(campaign_recipients::Column::Status.is_in(["claimed", "sending"]))
        .all(&w.app.state.db)
        .await
        .unwrap();
    assert!(!stuck.is_empty(), "the crash left claimed or in-flight recipients");

    // Standing in for the passing of time: the dead worker's job lease and its claims expire.
    let db = &w.app.state.db;
    let long_ago = chrono::Utc::now() - TimeDelta::minutes(10);
    jobs::Entity::update_many()
        .col_expr(jobs::Column::LockedUntil, sea_orm::sea_query::Expr::value(long_ago))
        .filter(jobs::Column::Status.eq("running"))
        .exec(db)
        .await
        .unwrap();
    campaign_recipients::Entity::update_many()
        .col_expr(campaign_recipients::Column::ClaimedAt, sea_orm::sea_query::Expr::value(long_ago))
        .col_expr(
            campaign_recipients::Column::AttemptStartedAt,
            sea_orm::sea_query::Expr::value(long_ago),
        )
        .filter(campaign_recipients::Column::Status.is_in(["claimed", "sending"]))
        .exec(db)
        .await
        .unwrap();
    // Meta's status webhooks (carrying our tag) arrive and resolve what Meta took.
    for _ in 0..100 {
        if w.fake.webhook_deliveries().len() >= before * 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    w.app.drain_jobs().await;

    // A new sender: stale claims go back to the queue, interrupted sends that no webhook
    // resolved wait; everything else is sent.
    w.fake.set_answer_delay(Duration::ZERO);
    let after_restart = w.run_until_settled(&id, 10).await;
    let unknown = campaign_recipients::Entity::find()
        .filter(campaign_recipients::Column::Status.eq("unknown"))
        .all(db)
        .await
        .unwrap();
    if !unknown.is_empty() {
        assert_eq!(after_restart["status"], "running", "unknown sends hold the campaign open");
        // Their grace period passes with no word from Meta: Meta never took them.
        campaign_recipients::Entity::update_many()
            .col_expr(
                campaign_recipients::Column::AttemptStartedAt,
                sea_orm::sea_query::Expr::value(chrono::Utc::now() - TimeDelta::hours(1)),
            )
            .filter(campaign_recipients::Column::Status.eq("unknown"))
            .exec(db)
            .await
            .unwrap();
        jobs::Entity::update_many()
            .col_expr(jobs::Column::RunAt, sea_orm::sea_query::Expr::value(long_ago))
            .filter(jobs::Column::Status.eq("pending"))
            .exec(db)
            .await
            .unwrap();
    }
    let done = w.run_until_settled(&id, 20).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["counts"]["sent"], 40, "{done}");
    let by_number = w.sends_by_number();
    assert_eq!(by_number.len(), 40, "everyone reached");
    assert!(
        by_number.values().all(|n| *n == 1),
        "nobody twice, despite the crash: {:?}",
        by_number.iter().filter(|(_, n)| **n > 1).collect::<Vec<_>>()
    );
    w.assert_no_violations();
}

#[tokio::test]
async fn sending_keeps_under_the_numbers_rate() {
    let w = world().await;
    contacts(&w.user, 25, "vip").await;
    // Meta refuses with 130429 beyond 10 per rolling second; the campaign asks for 8.
    w.fake.set_rate_limit(10);
    let campaign = w.campaign(json!({"rate_per_second": 8})).await;
    let id = campaign["id"].as_str().unwrap();
    w.act(id, "start").await;
    let done = w.run_until_settled(id, 30).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["counts"]["sent"], 25);
    let throttled = w
        .fake
        .requests()
        .iter()
        .filter(|r| r.response.pointer("/error/code") == Some(&json!(130429)))
        .count();
    assert_eq!(throttled, 0, "never above Meta's limit");
    let retried = w.recipients(id, "sent").await.iter().filter(|r| r["attempts"] != 1).count();
    assert_eq!(retried, 0);
}

#[tokio::test]
async fn a_customer_answer_is_linked_to_the_campaign_and_shows_it_in_the_thread() {
    let w = world().await;
    contacts(&w.user, 2, "vip").await;
    let campaign = w.campaign(json!({})).await;
    let id = campaign["id"].as_str().unwrap();
    w.act(id, "start").await;
    w.run_until_settled(id, 30).await;

    w.fake.emit_inbound_text("5511990000001", "Cliente 1", "Quero o cupom!").await.unwrap();
    w.app.drain_jobs().await;
    let list: Value = w.user.session.get("/api/v1/conversations").await.json().await.unwrap();
    let conversation = &list["items"][0];
    assert_eq!(conversation["campaign_id"], json!(id), "{conversation}");
    let thread: Value = w
        .user
        .session
        .get(&format!("/api/v1/conversations/{}/messages", conversation["id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    let texts: Vec<&str> =
        thread["items"].as_array().unwrap().iter().filter_map(|m| m["text"].as_str()).collect();
    assert!(texts.contains(&"Olá Cliente, use o cupom BLACK20."), "{texts:?}");
    assert!(texts.contains(&"Quero o cupom!"));
    let counts = w.get(id).await["counts"].clone();
    assert_eq!(counts["replied"], 1, "{counts}");
    assert_eq!(w.recipients(id, "replied").await[0]["phone"], "+5511990000001");
}

#[tokio::test]
async fn a_scheduled_campaign_starts_at_its_time_in_the_company_zone() {
    let w = world().await;
    contacts(&w.user, 3, "vip").await;
    let company: Value = w.user.session.get("/api/v1/company").await.json().await.unwrap();
    assert_eq!(company["time_zone"], "America/Sao_Paulo");
    let bad = w.user.session.patch("/api/v1/company", json!({"time_zone": "Mars/Base"})).await;
    assert_eq!(error_code(bad).await, "validation_failed");

    let in_a_day = (chrono::Utc::now() + TimeDelta::days(1))
        .with_timezone(&chrono_tz::America::Sao_Paulo)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let campaign = w
        .campaign(
            json!({"scheduled_at": in_a_day, "quiet_hours": {"start": "23:00", "end": "06:00"}}),
        )
        .await;
    let id = campaign["id"].as_str().unwrap();
    let scheduled = campaign["scheduled_at"].as_str().unwrap();
    let expected = (chrono::Utc::now() + TimeDelta::days(1)).timestamp() / 60;
    let got = chrono::DateTime::parse_from_rfc3339(scheduled).unwrap().timestamp() / 60;
    assert!((expected - got).abs() <= 1, "local time read in São Paulo: {scheduled}");

    let (_, started) = w.act(id, "start").await;
    assert_eq!(started["status"], "scheduled");
    w.app.drain_jobs().await;
    w.app.state.sending.drain().await.unwrap();
    assert!(w.fake.sent_messages().is_empty(), "not before its time");

    // Its time comes.
    let db = &w.app.state.db;
    jobs::Entity::update_many()
        .col_expr(
            jobs::Column::RunAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - TimeDelta::seconds(1)),
        )
        .filter(jobs::Column::Kind.eq("campaign.start"))
        .exec(db)
        .await
        .unwrap();
    server::db::entities::campaigns::Entity::update_many()
        .col_expr(
            server::db::entities::campaigns::Column::ScheduledAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - TimeDelta::seconds(1)),
        )
        .exec(db)
        .await
        .unwrap();
    w.app.drain_jobs().await;
    let running = w.get(id).await;
    assert_eq!(running["status"], "running", "{running}");
    assert_eq!(running["counts"]["total"], 3);
}

#[tokio::test]
async fn bad_requests_get_clear_errors_and_other_companies_see_nothing() {
    let w = world().await;
    contacts(&w.user, 2, "vip").await;
    let post = |body: Value| w.user.session.post("/api/v1/campaigns", body);
    let base = json!({"name": "X", "connection_id": w.connection.id,
        "template": {"name": "promo", "language": "pt_BR", "variables": ["a", "b"]},
        "audience": {"tags": ["vip"]}});
    let with = |patch: Value| {
        let mut body = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (patch, field) in [
        (json!({"name": " "}), "name"),
        (json!({"audience": {}}), "audience"),
        (json!({"rate_per_second": 0}), "rate_per_second"),
        (json!({"rate_per_second": 5000}), "rate_per_second"),
        (json!({"connection_id": uuid::Uuid::new_v4()}), "connection_id"),
        (json!({"scheduled_at": "next friday"}), "scheduled_at"),
        (json!({"quiet_hours": {"start": "25:00", "end": "08:00"}}), "quiet_hours.start"),
        (json!({"audience": {"segment_ids": [uuid::Uuid::new_v4()]}}), "audience.segment_ids"),
    ] {
        let response = post(with(patch.clone())).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{patch}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["field"], field, "{patch}: {body}");
    }
    let malformed = w
        .user
        .session
        .send(reqwest::Method::POST, "/api/v1/campaigns", Some(json!({"name": 3})))
        .await;
    assert_eq!(error_code(malformed).await, "invalid_json");

    // A template the number does not have: refused at the start, with the field named.
    let unknown = post(with(json!({"template": {"name": "nope", "language": "pt_BR"}}))).await;
    let unknown: Value = unknown.json().await.unwrap();
    let (status, body) = w.act(unknown["id"].as_str().unwrap(), "start").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "template.name");
    // The wrong number of values for the template.
    let short =
        post(with(json!({"template": {"name": "promo", "language": "pt_BR", "variables": ["a"]}})))
            .await;
    let short: Value = short.json().await.unwrap();
    let (status, body) = w.act(short["id"].as_str().unwrap(), "start").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "template.variables", "{body}");
    // Nobody to send to.
    let empty = post(with(json!({"audience": {"tags": ["nobody"]}}))).await;
    let empty: Value = empty.json().await.unwrap();
    let (status, body) = w.act(empty["id"].as_str().unwrap(), "start").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(w.get(empty["id"].as_str().unwrap()).await["status"], "draft", "nothing half-done");

    // Agents look but do not launch.
    let agent = w.app.add_member(&w.user, "agent").await;
    let response = agent.session.post("/api/v1/campaigns", base.clone()).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let list: Value = agent.session.get("/api/v1/campaigns").await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 3);

    // Another company: not found, and not listed.
    let other = w.app.verified_user("Other").await;
    let id = short["id"].as_str().unwrap();
    let response = other.session.get(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let (status, _) = {
        let r = other.session.post(&format!("/api/v1/campaigns/{id}/start"), json!({})).await;
        (r.status(), ())
    };
    assert_eq!(status, StatusCode::NOT_FOUND);
    let list: Value = other.session.get("/api/v1/campaigns").await.json().await.unwrap();
    assert_eq!(list["items"], json!([]));
    let preview = other
        .session
        .post("/api/v1/campaigns/preview", json!({"audience": {"all_contacts": true}}))
        .await;
    let preview: Value = preview.json().await.unwrap();
    assert_eq!(preview["matched"], 0, "another company's contacts are not theirs");
}
