//! The team inbox beyond replying: taking a conversation (and two agents racing for it), handing
//! it on, status and snooze, labels, private notes, search, canned replies — with the activity
//! lines and live events each change leaves, and tenant isolation.

mod common;

use common::{
    error_code, received_events, spawn_app, text_delivery, CloudConnection, TestApp, TestUser,
};
use reqwest::StatusCode;
use sea_orm::{sea_query::Expr, EntityTrait};
use serde_json::{json, Value};
use server::db::entities::conversations;
use shared::ServerEvent;
use uuid::Uuid;

struct World {
    app: TestApp,
    owner: TestUser,
    connection: CloudConnection,
}

async fn world() -> World {
    let app = spawn_app().await;
    let owner = app.verified_user("Loja").await;
    let connection = app.cloud_connection(&owner, "106540352242922").await;
    World { app, owner, connection }
}

impl World {
    /// Customer `from` writes `text`; returns the conversation's id.
    async fn inbound(&self, from: &str, name: &str, text: &str) -> Uuid {
        let wamid = format!("wamid.{}", Uuid::new_v4().simple());
        let body = text_delivery(from, name, &wamid, text, 1_700_000_000);
        assert_eq!(self.app.post_webhook(&self.connection, &body).await.status(), StatusCode::OK);
        self.app.drain_jobs().await;
        let list: Value = self
            .owner
            .session
            .get(&format!("/api/v1/conversations?q={from}"))
            .await
            .json()
            .await
            .unwrap();
        list["items"][0]["id"].as_str().unwrap().parse().unwrap()
    }

    async fn conversation(&self, user: &TestUser, id: Uuid) -> Value {
        user.session.get(&format!("/api/v1/conversations/{id}")).await.json().await.unwrap()
    }

    async fn thread(&self, id: Uuid) -> Vec<Value> {
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

    /// The activity lines of the thread, as `(action, text)`.
    async fn activity(&self, id: Uuid) -> Vec<(String, String)> {
        self.thread(id)
            .await
            .into_iter()
            .filter(|m| m["kind"] == "activity")
            .map(|m| {
                assert_eq!(m["direction"], "internal");
                (
                    m["payload"]["action"].as_str().unwrap().to_owned(),
                    m["text"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }
}

async fn patch(user: &TestUser, id: Uuid, body: Value) -> reqwest::Response {
    user.session.patch(&format!("/api/v1/conversations/{id}"), body).await
}

async fn claim(user: &TestUser, id: Uuid) -> reqwest::Response {
    user.session.post(&format!("/api/v1/conversations/{id}/claim"), json!({})).await
}

#[tokio::test]
async fn an_agent_takes_a_conversation_and_a_second_agent_sees_who_has_it() {
    let w = world().await;
    let id = w.inbound("5511987654321", "Ana Souza", "Olá").await;
    let first = w.app.add_member(&w.owner, "agent").await;
    let second = w.app.add_member(&w.owner, "agent").await;
    let mut live = w.app.state.events.subscribe(w.owner.company_id);

    let taken = claim(&first, id).await;
    assert_eq!(taken.status(), StatusCode::OK);
    let taken: Value = taken.json().await.unwrap();
    assert_eq!(taken["assignee_id"], first.user_id.to_string());
    let events = received_events(&mut live);
    assert!(events.iter().any(
        |e| matches!(&**e, ServerEvent::MessageCreated { message } if message.kind == "activity")
    ));
    assert!(events.iter().any(|e| matches!(&**e, ServerEvent::ConversationUpdated { conversation } if conversation.assignee_id == Some(first.user_id))));

    // Taking it again is harmless; the other agent is told who has it.
    assert_eq!(claim(&first, id).await.status(), StatusCode::OK);
    let refused = claim(&second, id).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "conversation_taken");
    assert!(body["error"]["message"].as_str().unwrap().contains("João Souza"), "{body}");
    // Nor can the second agent reassign it by PATCH.
    let refused = patch(&second, id, json!({"assignee_id": second.user_id})).await;
    assert_eq!(error_code(refused).await, "conversation_taken");
    assert_eq!(w.conversation(&w.owner, id).await["assignee_id"], first.user_id.to_string());
    let lines = w.activity(id).await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].0, "assigned");
    assert!(lines[0].1.contains("took the conversation"), "{lines:?}");
}

#[tokio::test]
async fn two_agents_racing_for_one_conversation_end_with_one_owner() {
    let w = world().await;
    let id = w.inbound("5511987654321", "Ana Souza", "Olá").await;
    let agents = [
        w.app.add_member(&w.owner, "agent").await,
        w.app.add_member(&w.owner, "agent").await,
        w.app.add_member(&w.owner, "agent").await,
    ];
    let answers = futures::future::join_all(agents.iter().map(|a| claim(a, id))).await;
    let statuses: Vec<StatusCode> = answers.iter().map(|r| r.status()).collect();
    let won = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let lost = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
    assert_eq!((won, lost), (1, 2), "{statuses:?}");
    let winner = &agents[statuses.iter().position(|s| *s == StatusCode::OK).unwrap()];
    assert_eq!(w.conversation(&w.owner, id).await["assignee_id"], winner.user_id.to_string());
    assert_eq!(w.activity(id).await.len(), 1, "one assignment, one activity line");
}

#[tokio::test]
async fn agents_hand_on_their_own_and_admins_transfer_any() {
    let w = world().await;
    let id = w.inbound("5511987654321", "Ana Souza", "Olá").await;
    let ana = w.app.add_member(&w.owner, "agent").await;
    let bia = w.app.add_member(&w.owner, "agent").await;

    // An agent may route an unassigned conversation, and hand on their own.
    let routed = patch(&ana, id, json!({"assignee_id": ana.user_id})).await;
    assert_eq!(routed.status(), StatusCode::OK);
    let handed = patch(&ana, id, json!({"assignee_id": bia.user_id})).await;
    assert_eq!(handed.status(), StatusCode::OK);
    assert_eq!(handed.json::<Value>().await.unwrap()["assignee_id"], bia.user_id.to_string());
    // The owner transfers it whoever has it, and can leave it unassigned.
    let back = patch(&w.owner, id, json!({"assignee_id": ana.user_id})).await;
    assert_eq!(back.status(), StatusCode::OK);
    let free = patch(&w.owner, id, json!({"assignee_id": null})).await;
    assert_eq!(free.json::<Value>().await.unwrap()["assignee_id"], Value::Null);

    // Only members of the company can be assignees.
    let outsider = w.app.verified_user("Other").await;
    let refused = patch(&w.owner, id, json!({"assignee_id": outsider.user_id})).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["field"], "assignee_id");

    let actions: Vec<String> = w.activity(id).await.into_iter().map(|(a, _)| a).collect();
    assert_eq!(actions, ["assigned", "assigned", "assigned", "unassigned"]);
}

#[tokio::test]
async fn status_and_snooze_are_checked_and_a_snooze_ends_by_itself_or_when_the_customer_writes() {
    let w = world().await;
    let id = w.inbound("5511987654321", "Ana Souza", "Olá").await;

    let resolved = patch(&w.owner, id, json!({"status": "resolved"})).await;
    assert_eq!(resolved.json::<Value>().await.unwrap()["status"], "resolved");
    for bad in [
        json!({"status": "closed"}),
        json!({"status": "snoozed"}),
        json!({"status": "snoozed", "snoozed_until": "2000-01-01T00:00:00Z"}),
        json!({"status": "open", "snoozed_until": "2999-01-01T00:00:00Z"}),
        json!({"labels": ["   "]}),
    ] {
        let answer = patch(&w.owner, id, bad.clone()).await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    assert_eq!(w.conversation(&w.owner, id).await["status"], "resolved", "nothing half-applied");

    let until = (chrono::Utc::now() + chrono::TimeDelta::hours(2)).to_rfc3339();
    let snoozed: Value = patch(&w.owner, id, json!({"status": "snoozed", "snoozed_until": until}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(snoozed["status"], "snoozed");
    assert!(snoozed["snoozed_until"].is_string());
    let list: Value =
        w.owner.session.get("/api/v1/conversations?status=snoozed").await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    // Not due yet: the sweep leaves it; due: it reopens with an activity line.
    server::inbox::manage::wake_snoozed(&w.app.state.db, &w.app.state.events).await.unwrap();
    assert_eq!(w.conversation(&w.owner, id).await["status"], "snoozed");
    let past = chrono::Utc::now() - chrono::TimeDelta::minutes(1);
    conversations::Entity::update_many()
        .col_expr(conversations::Column::SnoozedUntil, Expr::value(Some(past)))
        .exec(&w.app.state.db)
        .await
        .unwrap();
    server::inbox::manage::wake_snoozed(&w.app.state.db, &w.app.state.events).await.unwrap();
    let woke = w.conversation(&w.owner, id).await;
    assert_eq!(woke["status"], "open");
    assert_eq!(woke["snoozed_until"], Value::Null);
    let last = w.activity(id).await.pop().unwrap();
    assert!(last.1.contains("snooze ended"), "{last:?}");

    // A customer's message ends a snooze too.
    patch(&w.owner, id, json!({"status": "snoozed", "snoozed_until": until})).await;
    w.inbound("5511987654321", "Ana Souza", "Oi de novo").await;
    let reopened = w.conversation(&w.owner, id).await;
    assert_eq!(
        (reopened["status"].as_str(), &reopened["snoozed_until"]),
        (Some("open"), &Value::Null)
    );
}

#[tokio::test]
async fn labels_are_set_filtered_on_and_logged() {
    let w = world().await;
    let ana = w.inbound("5511987654321", "Ana Souza", "Olá").await;
    let rui = w.inbound("5511911112222", "Rui Lima", "Bom dia").await;

    let labelled: Value = patch(&w.owner, ana, json!({"labels": ["VIP", "entrega", " vip "]}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(labelled["labels"], json!(["VIP", "entrega"]));
    let list: Value =
        w.owner.session.get("/api/v1/conversations?label=VIP").await.json().await.unwrap();
    let ids: Vec<&str> =
        list["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [ana.to_string()]);
    let all: Value = w.owner.session.get("/api/v1/conversations").await.json().await.unwrap();
    let rui_row = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == rui.to_string())
        .unwrap()
        .clone();
    assert_eq!(rui_row["labels"], json!([]));

    // The same set again changes nothing; a new set logs what was added and removed.
    patch(&w.owner, ana, json!({"labels": ["entrega", "VIP"]})).await;
    patch(&w.owner, ana, json!({"labels": ["entrega", "urgente"]})).await;
    let lines = w.activity(ana).await;
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[1].1.contains("added \"urgente\"") && lines[1].1.contains("removed \"VIP\""),
        "{lines:?}"
    );
    // A new inbound message keeps the labels on the live event.
    let mut live = w.app.state.events.subscribe(w.owner.company_id);
    w.inbound("5511987654321", "Ana Souza", "Chegou?").await;
    let labels = received_events(&mut live).into_iter().find_map(|e| match &*e {
        ServerEvent::ConversationUpdated { conversation } => Some(conversation.labels.clone()),
        _ => None,
    });
    assert_eq!(labels, Some(vec!["entrega".to_owned(), "urgente".to_owned()]));
}

#[tokio::test]
async fn notes_stay_inside_the_team_and_do_not_move_the_conversation() {
    let w = world().await;
    let id = w.inbound("5511987654321", "Ana Souza", "Olá").await;
    let before = w.conversation(&w.owner, id).await;
    let note = w
        .owner
        .session
        .post(
            &format!("/api/v1/conversations/{id}/notes"),
            json!({"text": "  Cliente VIP, cuidado  "}),
        )
        .await;
    assert_eq!(note.status(), StatusCode::CREATED);
    let note: Value = note.json().await.unwrap();
    assert_eq!(
        (note["direction"].as_str(), note["kind"].as_str()),
        (Some("internal"), Some("note"))
    );
    assert_eq!(note["text"], "Cliente VIP, cuidado");
    assert_eq!(note["sent_by_user_id"], w.owner.user_id.to_string());
    let after = w.conversation(&w.owner, id).await;
    assert_eq!(after["last_message_preview"], before["last_message_preview"]);
    assert_eq!(after["unread_count"], before["unread_count"]);
    assert_eq!(after["last_message_at"], before["last_message_at"]);
    assert!(w.thread(id).await.iter().any(|m| m["kind"] == "note"));

    let empty = w
        .owner
        .session
        .post(&format!("/api/v1/conversations/{id}/notes"), json!({"text": " "}))
        .await;
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
    // Nothing reaches the provider: no send job was queued for a note.
    let queued: Vec<_> =
        w.thread(id).await.into_iter().filter(|m| m["status"] == "queued").collect();
    assert!(queued.is_empty(), "{queued:?}");
}

#[tokio::test]
async fn search_finds_conversations_by_customer_and_by_message_text() {
    let w = world().await;
    let ana = w.inbound("5511987654321", "Ana Souza", "Quero o boleto do pedido 4471").await;
    let rui = w.inbound("5511911112222", "Rui Lima", "Bom dia").await;
    let find = |q: &'static str| {
        let session = &w.owner.session;
        async move {
            let list: Value = session
                .get(&format!("/api/v1/conversations?status=open&q={q}"))
                .await
                .json()
                .await
                .unwrap();
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(find("souza").await, [ana.to_string()]);
    // One customer's conversations.
    let ana_contact =
        w.conversation(&w.owner, ana).await["contact"]["id"].as_str().unwrap().to_owned();
    let theirs: Value = w
        .owner
        .session
        .get(&format!("/api/v1/conversations?contact_id={ana_contact}"))
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> =
        theirs["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [ana.to_string()]);
    assert_eq!(find("BOLETO").await, [ana.to_string()]);
    assert_eq!(find("1191111").await, [rui.to_string()]);
    assert!(find("100%25").await.is_empty(), "% is matched literally");
}

#[tokio::test]
async fn canned_replies_are_curated_by_admins_and_read_by_everyone() {
    let w = world().await;
    let agent = w.app.add_member(&w.owner, "agent").await;
    let created = w
        .owner
        .session
        .post(
            "/api/v1/canned-replies",
            json!({"shortcut": "/Horario", "body": "Abrimos das 9h às 18h."}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["shortcut"], "horario");
    let id = created["id"].as_str().unwrap().to_owned();
    w.owner
        .session
        .post(
            "/api/v1/canned-replies",
            json!({"shortcut": "pix", "body": "Chave PIX: loja@ex.com"}),
        )
        .await;

    let dup = w
        .owner
        .session
        .post("/api/v1/canned-replies", json!({"shortcut": "horario", "body": "x"}))
        .await;
    assert_eq!(dup.status(), StatusCode::CONFLICT);
    let bad = w
        .owner
        .session
        .post("/api/v1/canned-replies", json!({"shortcut": "com espaço", "body": "x"}))
        .await;
    assert_eq!(bad.json::<Value>().await.unwrap()["error"]["field"], "shortcut");
    let forbidden =
        agent.session.post("/api/v1/canned-replies", json!({"shortcut": "x", "body": "x"})).await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);

    let mine: Value = agent.session.get("/api/v1/canned-replies?q=/ho").await.json().await.unwrap();
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    assert_eq!(mine["items"][0]["body"], "Abrimos das 9h às 18h.");

    let edited = w
        .owner
        .session
        .patch(
            &format!("/api/v1/canned-replies/{id}"),
            json!({"shortcut": "horas", "body": "9h–18h"}),
        )
        .await;
    assert_eq!(edited.json::<Value>().await.unwrap()["shortcut"], "horas");
    let clash = w
        .owner
        .session
        .patch(&format!("/api/v1/canned-replies/{id}"), json!({"shortcut": "pix", "body": "x"}))
        .await;
    assert_eq!(clash.status(), StatusCode::CONFLICT);

    // Another company sees none of it and cannot touch it.
    let other = w.app.verified_user("Other").await;
    let theirs: Value = other.session.get("/api/v1/canned-replies").await.json().await.unwrap();
    assert_eq!(theirs["items"], json!([]));
    let touch = other.session.delete(&format!("/api/v1/canned-replies/{id}")).await;
    assert_eq!(touch.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        w.owner.session.delete(&format!("/api/v1/canned-replies/{id}")).await.status(),
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn another_companys_conversation_cannot_be_touched() {
    let w = world().await;
    let id = w.inbound("5511987654321", "Ana Souza", "Olá").await;
    let other = w.app.verified_user("Other").await;
    assert_eq!(claim(&other, id).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        patch(&other, id, json!({"status": "resolved"})).await.status(),
        StatusCode::NOT_FOUND
    );
    let note = other
        .session
        .post(&format!("/api/v1/conversations/{id}/notes"), json!({"text": "x"}))
        .await;
    assert_eq!(note.status(), StatusCode::NOT_FOUND);
    assert_eq!(w.conversation(&w.owner, id).await["status"], "open");
    assert!(w.activity(id).await.is_empty());
}

#[tokio::test]
async fn with_auto_assignment_on_new_conversations_go_to_online_members_in_turn() {
    let w = world().await;
    let ana = w.app.add_member(&w.owner, "agent").await;
    let bia = w.app.add_member(&w.owner, "agent").await;
    let company = w.owner.company_id;

    // Off by default: nothing is assigned.
    let presence = w.app.state.events.presence().clone();
    let ana_online = presence.enter(company, ana.user_id);
    let bia_online = presence.enter(company, bia.user_id);
    let first = w.inbound("5511900000001", "Cliente Um", "Oi").await;
    assert_eq!(w.conversation(&w.owner, first).await["assignee_id"], Value::Null);

    // Agents may read the setting, not change it; bad values are refused.
    let settings: Value = ana.session.get("/api/v1/company").await.json().await.unwrap();
    assert_eq!(
        (settings["auto_assign"].as_bool(), settings["default_country"].as_str()),
        (Some(false), Some("BR"))
    );
    assert_eq!(
        ana.session.patch("/api/v1/company", json!({"auto_assign": true})).await.status(),
        StatusCode::FORBIDDEN
    );
    let bad = w.owner.session.patch("/api/v1/company", json!({"default_country": "Brasil"})).await;
    assert_eq!(bad.json::<Value>().await.unwrap()["error"]["field"], "default_country");
    let on: Value = w
        .owner
        .session
        .patch("/api/v1/company", json!({"auto_assign": true}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(on["auto_assign"], true);

    // The owner is not online (no socket): only Ana and Bia take turns.
    let mut assignees = Vec::new();
    for n in 2..=4 {
        let id = w.inbound(&format!("551190000000{n}"), "Cliente", "Oi").await;
        let conversation = w.conversation(&w.owner, id).await;
        assignees.push(conversation["assignee_id"].as_str().unwrap().to_owned());
        let line = w.activity(id).await.pop().unwrap();
        assert!(line.1.starts_with("Assigned automatically to"), "{line:?}");
    }
    let (ana_id, bia_id) = (ana.user_id.to_string(), bia.user_id.to_string());
    assert!(assignees[0] != assignees[1] && assignees[0] == assignees[2], "{assignees:?}");
    assert!(assignees.iter().all(|a| *a == ana_id || *a == bia_id), "{assignees:?}");

    // A conversation someone already has stays theirs; with nobody online, they wait.
    drop(ana_online);
    drop(bia_online);
    let waiting = w.inbound("5511900000009", "Cliente", "Alguém?").await;
    assert_eq!(w.conversation(&w.owner, waiting).await["assignee_id"], Value::Null);
}
