//! Members, invitations, roles, API keys — and tenant isolation: whatever belongs to another
//! company is 404, never 403.

mod common;

use common::{error_code, spawn_app, PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn invitation_creates_a_verified_member_with_the_role() {
    let app = spawn_app().await;
    let owner = app.verified_user("Acme").await;
    let agent = app.add_member(&owner, "agent").await;
    assert_eq!(agent.company_id, owner.company_id);
    let me: Value = agent.session.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["user"]["role"], "agent");

    let members: Value = owner.session.get("/api/v1/members").await.json().await.unwrap();
    let roles: Vec<&str> =
        members["items"].as_array().unwrap().iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["owner", "agent"]);
    assert!(members["next_cursor"].is_null());
    // Accepted invitations leave the pending list.
    let pending: Value = owner.session.get("/api/v1/invitations").await.json().await.unwrap();
    assert_eq!(pending["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn invitation_preview_accept_errors_and_reinvite() {
    let app = spawn_app().await;
    let owner = app.verified_user("Acme").await;
    let email = "newbie@example.com";
    owner.session.post("/api/v1/invitations", json!({"email": email, "role": "admin"})).await;
    app.drain_jobs().await;
    let first_token = app.token_from_email(email, "/invite");
    // Inviting again replaces the pending invitation: only the newest link works.
    let again =
        owner.session.post("/api/v1/invitations", json!({"email": email, "role": "agent"})).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    app.drain_jobs().await;
    let token = app.token_from_email(email, "/invite");
    assert_ne!(first_token, token);
    let stale =
        app.session().get(&format!("/api/v1/invitations/preview?token={first_token}")).await;
    assert_eq!(error_code(stale).await, "invalid_token");

    let preview: Value = app
        .session()
        .get(&format!("/api/v1/invitations/preview?token={token}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(preview["company_name"], "Acme");
    assert_eq!(preview["role"], "agent");
    assert_eq!(preview["existing_user"], false);

    let no_name = app
        .session()
        .post("/api/v1/invitations/accept", json!({"token": token, "password": PASSWORD}))
        .await;
    assert_eq!(no_name.status(), StatusCode::BAD_REQUEST);
    let weak = app
        .session()
        .post("/api/v1/invitations/accept", json!({"token": token, "name": "N", "password": "abc"}))
        .await;
    assert_eq!(error_code(weak).await, "weak_password");
    let ok = app
        .session()
        .post(
            "/api/v1/invitations/accept",
            json!({"token": token, "name": "N", "password": PASSWORD}),
        )
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    let twice = app
        .session()
        .post(
            "/api/v1/invitations/accept",
            json!({"token": token, "name": "N", "password": PASSWORD}),
        )
        .await;
    assert_eq!(error_code(twice).await, "invalid_token");

    let member_again =
        owner.session.post("/api/v1/invitations", json!({"email": email, "role": "agent"})).await;
    assert_eq!(member_again.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn existing_accounts_join_another_company_with_their_password() {
    let app = spawn_app().await;
    let acme = app.verified_user("Acme").await;
    let globex = app.verified_user("Globex").await;
    globex.session.post("/api/v1/invitations", json!({"email": acme.email, "role": "agent"})).await;
    app.drain_jobs().await;
    let token = app.token_from_email(&acme.email, "/invite");
    let preview: Value = app
        .session()
        .get(&format!("/api/v1/invitations/preview?token={token}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(preview["existing_user"], true);
    let wrong = app
        .session()
        .post(
            "/api/v1/invitations/accept",
            json!({"token": token, "password": "Wrong-Password-999"}),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let ok = app
        .session()
        .post("/api/v1/invitations/accept", json!({"token": token, "password": PASSWORD}))
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    let members: Value = globex.session.get("/api/v1/members").await.json().await.unwrap();
    assert_eq!(members["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn agents_cannot_manage_the_team() {
    let app = spawn_app().await;
    let owner = app.verified_user("Acme").await;
    let agent = app.add_member(&owner, "agent").await;
    let invite = agent
        .session
        .post("/api/v1/invitations", json!({"email": "x@example.com", "role": "agent"}))
        .await;
    assert_eq!(invite.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(invite).await, "forbidden");
    let key = agent.session.post("/api/v1/api-keys", json!({"name": "mine"})).await;
    assert_eq!(key.status(), StatusCode::FORBIDDEN);
    let promote = agent
        .session
        .patch(&format!("/api/v1/members/{}", agent.user_id), json!({"role": "admin"}))
        .await;
    assert_eq!(promote.status(), StatusCode::FORBIDDEN);
    // Reading the team is fine.
    assert_eq!(agent.session.get("/api/v1/members").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn owner_rules_and_member_removal() {
    let app = spawn_app().await;
    let owner = app.verified_user("Acme").await;
    let admin = app.add_member(&owner, "admin").await;
    // The last owner cannot step down.
    let demote = owner
        .session
        .patch(&format!("/api/v1/members/{}", owner.user_id), json!({"role": "admin"}))
        .await;
    assert_eq!(demote.status(), StatusCode::CONFLICT);
    // Admins cannot hand out or touch the owner role.
    let grab = admin
        .session
        .patch(&format!("/api/v1/members/{}", admin.user_id), json!({"role": "owner"}))
        .await;
    assert_eq!(grab.status(), StatusCode::FORBIDDEN);
    let remove_owner = admin.session.delete(&format!("/api/v1/members/{}", owner.user_id)).await;
    assert_eq!(remove_owner.status(), StatusCode::FORBIDDEN);
    // An unknown role value is a 400 in our shape.
    let bad = owner
        .session
        .patch(&format!("/api/v1/members/{}", admin.user_id), json!({"role": "king"}))
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(bad).await, "invalid_json");
    // The owner promotes, and then may step down.
    let promote = owner
        .session
        .patch(&format!("/api/v1/members/{}", admin.user_id), json!({"role": "owner"}))
        .await;
    assert_eq!(promote.status(), StatusCode::OK);
    let demote = owner
        .session
        .patch(&format!("/api/v1/members/{}", owner.user_id), json!({"role": "admin"}))
        .await;
    assert_eq!(demote.status(), StatusCode::OK);
    // Removal ends the removed member's session at once.
    let agent = app.add_member(&admin, "agent").await;
    let removed = admin.session.delete(&format!("/api/v1/members/{}", agent.user_id)).await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(agent.session.get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn api_keys_authenticate_integrations_until_revoked() {
    let app = spawn_app().await;
    let owner = app.verified_user("Acme").await;
    let created = owner.session.post("/api/v1/api-keys", json!({"name": "Zapier"})).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let key = created["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("mia_"));

    let listed: Value = owner.session.get("/api/v1/api-keys").await.json().await.unwrap();
    let listed_text = listed.to_string();
    assert!(!listed_text.contains(&key), "the secret is never listed");
    assert_eq!(listed["items"][0]["name"], "Zapier");

    let bearer = reqwest::Client::new();
    let me = bearer.get(app.url("/api/v1/me")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["company"]["id"], owner.company_id.to_string());
    assert!(me["csrf_token"].is_null());
    // API keys need no CSRF token for changes.
    let invite = bearer
        .post(app.url("/api/v1/invitations"))
        .bearer_auth(&key)
        .json(&json!({"email": "via-api@example.com", "role": "agent"}))
        .send()
        .await
        .unwrap();
    assert_eq!(invite.status(), StatusCode::CREATED);

    let wrong =
        bearer.get(app.url("/api/v1/me")).bearer_auth(format!("{key}x")).send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let id = created["id"].as_str().unwrap();
    assert_eq!(
        owner.session.delete(&format!("/api/v1/api-keys/{id}")).await.status(),
        StatusCode::NO_CONTENT
    );
    let revoked = bearer.get(app.url("/api/v1/me")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(revoked.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn another_companys_resources_are_not_found() {
    let app = spawn_app().await;
    let acme = app.verified_user("Acme").await;
    let globex = app.verified_user("Globex").await;

    let key: Value = acme
        .session
        .post("/api/v1/api-keys", json!({"name": "acme key"}))
        .await
        .json()
        .await
        .unwrap();
    let key_id = key["id"].as_str().unwrap();
    let invitation: Value = acme
        .session
        .post("/api/v1/invitations", json!({"email": "p@example.com", "role": "agent"}))
        .await
        .json()
        .await
        .unwrap();
    let invitation_id = invitation["id"].as_str().unwrap();
    let acme_agent = app.add_member(&acme, "agent").await;

    let attempts = [
        globex.session.delete(&format!("/api/v1/api-keys/{key_id}")).await,
        globex.session.delete(&format!("/api/v1/invitations/{invitation_id}")).await,
        globex
            .session
            .patch(&format!("/api/v1/members/{}", acme_agent.user_id), json!({"role": "admin"}))
            .await,
        globex.session.delete(&format!("/api/v1/members/{}", acme_agent.user_id)).await,
        globex.session.delete(&format!("/api/v1/members/{}", acme.user_id)).await,
    ];
    for response in attempts {
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(error_code(response).await, "not_found");
    }
    // Lists show only the caller's company.
    let keys: Value = globex.session.get("/api/v1/api-keys").await.json().await.unwrap();
    assert!(keys["items"].as_array().unwrap().is_empty());
    let invitations: Value = globex.session.get("/api/v1/invitations").await.json().await.unwrap();
    assert!(invitations["items"].as_array().unwrap().is_empty());
    let members: Value = globex.session.get("/api/v1/members").await.json().await.unwrap();
    assert_eq!(members["items"].as_array().unwrap().len(), 1);
    // And nothing of Acme's was changed.
    let keys: Value = acme.session.get("/api/v1/api-keys").await.json().await.unwrap();
    assert_eq!(keys["items"].as_array().unwrap().len(), 1);
    assert_eq!(acme_agent.session.get("/api/v1/me").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn lists_paginate_with_cursors() {
    let app = spawn_app().await;
    let owner = app.verified_user("Acme").await;
    for n in 0..5 {
        let r = owner.session.post("/api/v1/api-keys", json!({"name": format!("key {n}")})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/api-keys?limit=2&cursor={c}"),
            None => "/api/v1/api-keys?limit=2".to_owned(),
        };
        let page: Value = owner.session.get(&path).await.json().await.unwrap();
        pages += 1;
        for item in page["items"].as_array().unwrap() {
            names.push(item["name"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names, ["key 0", "key 1", "key 2", "key 3", "key 4"]);
    let bad = owner.session.get("/api/v1/api-keys?cursor=zzz").await;
    assert_eq!(error_code(bad).await, "bad_request");
}
