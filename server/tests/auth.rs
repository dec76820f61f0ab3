//! Accounts and sessions over real HTTP: sign-up → verify → login → me, and every way it should
//! refuse. Runs on SQLite and PostgreSQL (see `common`).

mod common;

use common::{error_code, spawn_app, PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};
use server::auth::jwt;

#[tokio::test]
async fn signup_verify_login_and_me() {
    let app = spawn_app().await;
    let response = app.signup("Maria@Example.com", "Acme Ltda").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["email"], "maria@example.com");
    assert_eq!(body["verification_sent"], true);

    // Not verified yet: refused with the documented code.
    let (_, status, body) = app.login("maria@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "email_not_verified");

    // The email is written by a background job.
    assert!(app.emails_to("maria@example.com").is_empty());
    assert_eq!(app.drain_jobs().await, 1);
    let token = app.token_from_email("maria@example.com", "/verify-email");
    let verified = app.session().post("/api/v1/auth/verify-email", json!({"token": token})).await;
    assert_eq!(verified.status(), StatusCode::OK);
    // Single use.
    let again = app.session().post("/api/v1/auth/verify-email", json!({"token": token})).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(again).await, "invalid_token");

    let (session, status, body) = app.login("MARIA@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["csrf_token"].as_str().is_some_and(|t| t.len() > 20));
    let me = session.get("/api/v1/me").await;
    assert_eq!(me.status(), StatusCode::OK);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["user"]["email"], "maria@example.com");
    assert_eq!(me["user"]["name"], "Maria Silva");
    assert_eq!(me["user"]["role"], "owner");
    assert_eq!(me["company"]["name"], "Acme Ltda");
    assert_eq!(me["csrf_token"], body["csrf_token"]);
}

#[tokio::test]
async fn login_cookie_is_http_only_and_lax() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    let response = app
        .session()
        .post("/api/v1/auth/login", json!({"email": user.email, "password": PASSWORD}))
        .await;
    let cookie = response.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(cookie.starts_with("mia_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http deployment: {cookie}");
}

#[tokio::test]
async fn wrong_password_and_unknown_email_look_the_same() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    let (_, status, body) = app.login(&user.email, "Wrong-Password-123!").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "invalid_credentials");
    let (_, status, body) = app.login("nobody@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "invalid_credentials");
}

#[tokio::test]
async fn login_is_rate_limited_per_account() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    // The verified_user helper used one login; the default allows 5 per account per minute.
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let (_, status, _) = app.login(&user.email, "Wrong-Password-123!").await;
        statuses.push(status);
    }
    assert_eq!(statuses[..4], [StatusCode::UNAUTHORIZED; 4]);
    assert_eq!(statuses[4], StatusCode::TOO_MANY_REQUESTS);
    let response = app
        .session()
        .post("/api/v1/auth/login", json!({"email": user.email, "password": PASSWORD}))
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(error_code(response).await, "rate_limited");
}

#[tokio::test]
async fn signup_is_rate_limited_per_ip() {
    let app = spawn_app().await;
    // 20 per minute, refilled one every 3 s: slow sign-ups (argon2 in a debug build on a busy
    // machine) earn a token or two back, so look for the first refusal instead of the 21st.
    let mut first_refusal = None;
    for n in 0..40 {
        let response = app.signup(&format!("u{n}@example.com"), "Acme").await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            first_refusal = Some(n);
            break;
        }
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let n = first_refusal.expect("sign-ups from one address are rate limited");
    assert!(n >= 20, "refused too early, at attempt {n}");
}

#[tokio::test]
async fn signup_rejects_bad_input_with_field_errors() {
    let app = spawn_app().await;
    let s = app.session();
    let cases = [
        (
            json!({"company_name": "Acme", "name": "Maria", "email": "not-an-email", "password": PASSWORD}),
            "validation_failed",
            "email",
        ),
        (
            json!({"company_name": "Acme", "name": "Maria", "email": "m@example.com", "password": "short"}),
            "weak_password",
            "password",
        ),
        (
            json!({"company_name": "Acme", "name": "Maria", "email": "m@example.com", "password": "password1234"}),
            "weak_password",
            "password",
        ),
        (
            json!({"company_name": "  ", "name": "Maria", "email": "m@example.com", "password": PASSWORD}),
            "validation_failed",
            "company_name",
        ),
        (
            json!({"company_name": "Acme", "name": "", "email": "m@example.com", "password": PASSWORD}),
            "validation_failed",
            "name",
        ),
    ];
    for (body, code, field) in cases {
        let response = s.post("/api/v1/auth/signup", body.clone()).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], code, "{body}");
        assert_eq!(error["error"]["field"], field, "{body}");
        assert!(error["error"]["message"].as_str().unwrap().len() > 10);
    }
    // Nothing was half-written: the address is still free.
    assert_eq!(app.signup("m@example.com", "Acme").await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn duplicate_email_is_a_conflict() {
    let app = spawn_app().await;
    assert_eq!(app.signup("dup@example.com", "Acme").await.status(), StatusCode::CREATED);
    let second = app.signup("DUP@example.com", "Other").await;
    assert_eq!(second.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(second).await, "email_taken");
}

#[tokio::test]
async fn logout_revokes_the_session_server_side() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    let response = app
        .session()
        .post("/api/v1/auth/login", json!({"email": user.email, "password": PASSWORD}))
        .await;
    let cookie = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let csrf = response.json::<Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_owned();
    let raw = reqwest::Client::new();
    let me = raw.get(app.url("/api/v1/me")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);

    let out = raw
        .post(app.url("/api/v1/auth/logout"))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    // The same (still unexpired, correctly signed) token no longer works.
    let me = raw.get(app.url("/api/v1/me")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(me).await, "unauthenticated");
}

#[tokio::test]
async fn tampered_foreign_and_expired_tokens_are_401() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    let raw = reqwest::Client::new();
    let now = chrono::Utc::now().timestamp();
    // Claims of a real user, but signed with another key.
    let claims = jwt::Claims {
        sub: user.user_id,
        cid: user.company_id,
        sid: uuid::Uuid::new_v4(),
        iat: now,
        exp: now + 600,
    };
    let forged = jwt::issue(b"not-the-server-secret-not-the-server", &claims).unwrap();
    // Signed with the right key but expired.
    let expired_claims = jwt::Claims { exp: now - 10, ..claims.clone() };
    let expired = jwt::issue(app.state.keyring.jwt_secret(), &expired_claims).unwrap();
    // Right key, valid, but naming no session row.
    let sessionless = jwt::issue(app.state.keyring.jwt_secret(), &claims).unwrap();
    for token in [forged, expired, sessionless, "garbage".to_owned()] {
        let me = raw
            .get(app.url("/api/v1/me"))
            .header("cookie", format!("mia_session={token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "{token}");
        assert_eq!(error_code(me).await, "unauthenticated");
    }
    let anonymous = raw.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn cookie_mutations_need_the_csrf_token() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    let mut no_token = user.session.clone();
    no_token.csrf = None;
    let response = no_token.post("/api/v1/api-keys", json!({"name": "zapier"})).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(response).await, "csrf_failed");

    let mut wrong = user.session.clone();
    wrong.csrf = Some("forged-token".into());
    let response = wrong.post("/api/v1/api-keys", json!({"name": "zapier"})).await;
    assert_eq!(error_code(response).await, "csrf_failed");

    // Reads need no token; the right token works.
    assert_eq!(no_token.get("/api/v1/api-keys").await.status(), StatusCode::OK);
    assert_eq!(
        user.session.post("/api/v1/api-keys", json!({"name": "zapier"})).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn password_reset_by_email_ends_old_sessions() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    let forgot =
        app.session().post("/api/v1/auth/forgot-password", json!({"email": user.email})).await;
    assert_eq!(forgot.status(), StatusCode::ACCEPTED);
    // Unknown emails get the same answer and no email.
    let unknown = app
        .session()
        .post("/api/v1/auth/forgot-password", json!({"email": "ghost@example.com"}))
        .await;
    assert_eq!(unknown.status(), StatusCode::ACCEPTED);
    app.drain_jobs().await;
    assert!(app.emails_to("ghost@example.com").is_empty());
    let token = app.token_from_email(&user.email, "/reset-password");

    let weak = app
        .session()
        .post("/api/v1/auth/reset-password", json!({"token": token, "password": "123"}))
        .await;
    assert_eq!(error_code(weak).await, "weak_password");
    let new_password = "Brand-New-Secret-Phrase-77";
    let reset = app
        .session()
        .post("/api/v1/auth/reset-password", json!({"token": token, "password": new_password}))
        .await;
    assert_eq!(reset.status(), StatusCode::OK);
    let reuse = app
        .session()
        .post("/api/v1/auth/reset-password", json!({"token": token, "password": new_password}))
        .await;
    assert_eq!(error_code(reuse).await, "invalid_token");

    assert_eq!(
        user.session.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "old session revoked"
    );
    let (_, status, _) = app.login(&user.email, PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, status, _) = app.login(&user.email, new_password).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn change_password_checks_the_current_one_and_revokes_sessions() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    let wrong = user
        .session
        .post(
            "/api/v1/auth/change-password",
            json!({"current_password": "nope", "new_password": "Another-Long-Phrase-88"}),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["error"]["field"], "current_password");
    let ok = user
        .session
        .post(
            "/api/v1/auth/change-password",
            json!({"current_password": PASSWORD, "new_password": "Another-Long-Phrase-88"}),
        )
        .await;
    assert_eq!(ok.status(), StatusCode::NO_CONTENT);
    assert_eq!(user.session.get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
    let (_, status, _) = app.login(&user.email, "Another-Long-Phrase-88").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn resend_verification_sends_a_new_link_only_when_needed() {
    let app = spawn_app().await;
    app.signup("late@example.com", "Acme").await;
    app.drain_jobs().await;
    let response = app
        .session()
        .post("/api/v1/auth/resend-verification", json!({"email": "late@example.com"}))
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    app.drain_jobs().await;
    assert_eq!(app.emails_to("late@example.com").len(), 2);
    let token = app.token_from_email("late@example.com", "/verify-email");
    let verified = app.session().post("/api/v1/auth/verify-email", json!({"token": token})).await;
    assert_eq!(verified.status(), StatusCode::OK);
    app.session()
        .post("/api/v1/auth/resend-verification", json!({"email": "late@example.com"}))
        .await;
    app.drain_jobs().await;
    assert_eq!(app.emails_to("late@example.com").len(), 2, "verified accounts get no more links");
}
