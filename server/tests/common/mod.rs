//! The test harness: `spawn_app()` starts the real application (same `Application::build` as
//! production) on port 0 with a fresh database — a SQLite file in a temp dir, or, with
//! `MASTER_IA_TEST_DB=postgres`, a new PostgreSQL database — and an outbox the tests can read.
#![allow(dead_code)]

use std::path::PathBuf;

use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use server::{
    config::{Config, Secret},
    startup::Application,
    state::AppState,
};
use uuid::Uuid;

pub const PASSWORD: &str = "Correct-Horse-Battery-42";

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub data_dir: tempfile::TempDir,
    pub backend: &'static str,
    /// On PostgreSQL: this test's database, dropped when the test ends.
    pg_database: Option<PgTestDatabase>,
}

/// A test's own PostgreSQL database, dropped (connections closed by force) when the test ends,
/// pass or fail, so a full run never holds ~200 databases on disk at once.
struct PgTestDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgTestDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime, which cannot block on async work: use a thread
        // with its own small runtime.
        let dropped = std::thread::spawn(move || {
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                use sea_orm::{ConnectionTrait, Database};
                let conn = Database::connect(&admin_url).await.ok()?;
                conn.execute_unprepared(&format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                ))
                .await
                .ok()?;
                conn.close().await.ok()
            })
        })
        .join();
        // A database left behind is removed by scripts/pg-drop-test-dbs.sh after the run.
        let _ = dropped;
    }
}

pub fn backend() -> &'static str {
    match std::env::var("MASTER_IA_TEST_DB").as_deref() {
        Ok("postgres") => "postgres",
        _ => "sqlite",
    }
}

async fn fresh_postgres_url() -> String {
    use sea_orm::{ConnectionTrait, Database};
    let admin = std::env::var("MASTER_IA_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("mia_t_{}", Uuid::new_v4().simple());
    let conn = Database::connect(&admin).await.expect("PostgreSQL for tests is reachable");
    conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create test database");
    conn.close().await.ok();
    let base = admin.rsplit_once('/').map(|(base, _)| base.to_owned()).unwrap_or(admin);
    format!("{base}/{name}")
}

pub async fn test_config() -> (Config, tempfile::TempDir) {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        data_dir: data_dir.path().to_path_buf(),
        site_root: data_dir.path().join("site"),
        workers: 0,
        campaign_senders: 0,
        ..Config::default()
    };
    if backend() == "postgres" {
        config.database_url = Some(Secret::new(fresh_postgres_url().await));
    }
    (config, data_dir)
}

pub async fn spawn_app() -> TestApp {
    let (config, data_dir) = test_config().await;
    spawn_with(config, data_dir).await
}

pub async fn spawn_with(mut config: Config, data_dir: tempfile::TempDir) -> TestApp {
    config.public_url = None;
    let pg_database = config.database_url.as_ref().and_then(|url| {
        let url = url.expose();
        let (_, name) = url.rsplit_once('/')?;
        name.starts_with("mia_t_").then(|| PgTestDatabase {
            admin_url: std::env::var("MASTER_IA_TEST_PG_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into()),
            name: name.to_owned(),
        })
    });
    let app = Application::build(config).await.expect("application builds");
    let address = format!("http://{}", app.local_addr());
    let state = app.state().clone();
    tokio::spawn(app.run_until(futures::future::pending()));
    TestApp { address, state, data_dir, backend: backend(), pg_database }
}

/// A browser-like client: keeps cookies, sends the CSRF token it was given.
#[derive(Clone)]
pub struct Session {
    pub client: Client,
    pub csrf: Option<String>,
    pub base: String,
}

impl Session {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }
    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = &self.csrf {
            request = request.header("X-CSRF-Token", token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request")
    }
    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Response {
        self.send(reqwest::Method::PATCH, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Response {
        self.send(reqwest::Method::DELETE, path, None).await
    }
    /// `POST` a raw body with a content type (CSV uploads).
    pub async fn upload(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        let mut request =
            self.client.post(self.url(path)).header("Content-Type", content_type).body(body);
        if let Some(token) = &self.csrf {
            request = request.header("X-CSRF-Token", token);
        }
        request.send().await.expect("request")
    }
}

pub struct TestUser {
    pub session: Session,
    pub email: String,
    pub user_id: Uuid,
    pub company_id: Uuid,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn session(&self) -> Session {
        Session {
            client: Client::builder().cookie_store(true).build().unwrap(),
            csrf: None,
            base: self.address.clone(),
        }
    }

    /// Runs every due background job now (tests run with no background workers).
    pub async fn drain_jobs(&self) -> usize {
        self.state.jobs.drain().await.expect("draining jobs")
    }

    pub fn outbox(&self) -> PathBuf {
        self.data_dir.path().join("outbox")
    }

    /// Bodies (decoded) of the emails sent to `to`, oldest first.
    pub fn emails_to(&self, to: &str) -> Vec<String> {
        let mut found: Vec<(std::time::SystemTime, String)> = Vec::new();
        let Ok(entries) = std::fs::read_dir(self.outbox()) else { return Vec::new() };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("eml") {
                continue;
            }
            let raw = std::fs::read_to_string(&path).unwrap_or_default();
            let decoded = decode_quoted_printable(&raw);
            let to_line =
                decoded.lines().find(|l| l.to_ascii_lowercase().starts_with("to:")).unwrap_or("");
            if to_line.to_ascii_lowercase().contains(&to.to_ascii_lowercase()) {
                let modified =
                    entry.metadata().and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH);
                found.push((modified, decoded));
            }
        }
        found.sort_by_key(|(t, _)| *t);
        found.into_iter().map(|(_, body)| body).collect()
    }

    /// The token of the newest link to `path` (e.g. `/verify-email`) emailed to `to`.
    pub fn token_from_email(&self, to: &str, path: &str) -> String {
        let needle = format!("{path}?token=");
        for email in self.emails_to(to).iter().rev() {
            if let Some(start) = email.find(&needle) {
                let rest = &email[start + needle.len()..];
                let token: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                return token;
            }
        }
        panic!("no email to {to} with a {path} link; outbox: {:?}", self.emails_to(to));
    }

    pub async fn signup(&self, email: &str, company: &str) -> Response {
        self.session()
            .post(
                "/api/v1/auth/signup",
                json!({"company_name": company, "name": "Maria Silva", "email": email, "password": PASSWORD}),
            )
            .await
    }

    /// Logs in; on success the session carries the CSRF token from the response.
    pub async fn login(&self, email: &str, password: &str) -> (Session, StatusCode, Value) {
        let mut session = self.session();
        let response =
            session.post("/api/v1/auth/login", json!({"email": email, "password": password})).await;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status == StatusCode::OK {
            session.csrf = body["csrf_token"].as_str().map(str::to_owned);
        }
        (session, status, body)
    }

    /// Signs up a company, verifies the email from the outbox and logs in.
    pub async fn verified_user(&self, company: &str) -> TestUser {
        let email = format!("owner-{}@example.com", Uuid::new_v4().simple());
        let response = self.signup(&email, company).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
        self.drain_jobs().await;
        let token = self.token_from_email(&email, "/verify-email");
        let verified =
            self.session().post("/api/v1/auth/verify-email", json!({"token": token})).await;
        assert_eq!(verified.status(), StatusCode::OK);
        self.logged_in(email).await
    }

    /// Invites `email` with `role` into the user's company and accepts as a new account; returns
    /// the new member logged in.
    pub async fn add_member(&self, owner: &TestUser, role: &str) -> TestUser {
        let email = format!("member-{}@example.com", Uuid::new_v4().simple());
        let response =
            owner.session.post("/api/v1/invitations", json!({"email": email, "role": role})).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
        self.drain_jobs().await;
        let token = self.token_from_email(&email, "/invite");
        let accepted = self
            .session()
            .post(
                "/api/v1/invitations/accept",
                json!({"token": token, "name": "João Souza", "password": PASSWORD}),
            )
            .await;
        assert_eq!(accepted.status(), StatusCode::OK, "{}", accepted.text().await.unwrap());
        self.logged_in(email).await
    }
}

impl TestApp {
    /// Logs `email` in with the test password and reads who it is.
    async fn logged_in(&self, email: String) -> TestUser {
        let (session, status, body) = self.login(&email, PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let me: Value = session.get("/api/v1/me").await.json().await.unwrap();
        TestUser {
            session,
            email,
            user_id: me["user"]["id"].as_str().unwrap().parse().unwrap(),
            company_id: me["company"]["id"].as_str().unwrap().parse().unwrap(),
        }
    }
}

/// Undoes quoted-printable soft line breaks and `=XX` escapes (what lettre may use for bodies).
pub fn decode_quoted_printable(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The error code of an error response.
pub async fn error_code(response: Response) -> String {
    let body: Value = response.json().await.expect("error body is JSON");
    body["error"]["code"].as_str().unwrap_or_else(|| panic!("no error.code in {body}")).to_owned()
}

/// `../shared/conformance` beside the repository (or `MASTER_IA_CONFORMANCE_DIR`): published
/// specs and real payloads. Missing material fails the test — it is never skipped.
pub fn conformance_dir() -> PathBuf {
    let dir =
        std::env::var_os("MASTER_IA_CONFORMANCE_DIR").map(PathBuf::from).unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance")
        });
    assert!(
        dir.join("README.md").exists(),
        "conformance material not found at {} (set MASTER_IA_CONFORMANCE_DIR)",
        dir.display()
    );
    dir
}

/// A WhatsApp Cloud connection of `user`'s company, with known secrets.
pub struct CloudConnection {
    pub id: Uuid,
    pub slug: String,
    pub webhook_path: String,
    pub app_secret: String,
    pub verify_token: String,
}

pub const TEST_APP_SECRET: &str = "test-app-secret-0123456789abcdef";
pub const TEST_VERIFY_TOKEN: &str = "verify-me-please";

impl TestApp {
    /// Creates a WhatsApp Cloud connection through the API.
    pub async fn cloud_connection(
        &self,
        user: &TestUser,
        phone_number_id: &str,
    ) -> CloudConnection {
        let response = user
            .session
            .post(
                "/api/v1/connections",
                json!({
                    "kind": "whatsapp_cloud", "name": format!("Number {phone_number_id}"),
                    "phone_number_id": phone_number_id, "waba_id": "102290129340398",
                    "access_token": "EAAG-test-token", "app_secret": TEST_APP_SECRET,
                    "verify_token": TEST_VERIFY_TOKEN,
                }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
        let body: Value = response.json().await.unwrap();
        let url = body["webhook_url"].as_str().unwrap().to_owned();
        let webhook_path = url[url.find("/api/webhooks/").unwrap()..].to_owned();
        CloudConnection {
            id: body["id"].as_str().unwrap().parse().unwrap(),
            slug: webhook_path.rsplit('/').next().unwrap().to_owned(),
            webhook_path,
            app_secret: TEST_APP_SECRET.to_owned(),
            verify_token: TEST_VERIFY_TOKEN.to_owned(),
        }
    }

    /// POSTs `body` to the connection's webhook, signed like Meta signs.
    pub async fn post_webhook(&self, connection: &CloudConnection, body: &[u8]) -> Response {
        let signature = server::channels::whatsapp_cloud::signature::sign(
            connection.app_secret.as_bytes(),
            body,
        );
        Client::new()
            .post(self.url(&connection.webhook_path))
            .header("Content-Type", "application/json")
            .header("X-Hub-Signature-256", signature)
            .body(body.to_vec())
            .send()
            .await
            .expect("webhook request")
    }
}

/// A signed-ready webhook body: customer `from` (named `name` on WhatsApp) writes `text` to the
/// number of [`TestApp::cloud_connection`] with phone number id `106540352242922`.
pub fn text_delivery(from: &str, name: &str, wamid: &str, text: &str, timestamp: i64) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": name}, "wa_id": from}],
            "messages": [{"from": from, "id": wamid, "timestamp": timestamp.to_string(),
                          "type": "text", "text": {"body": text}}]
        }}]}]
    }))
    .unwrap()
}

/// Every live event `live` has received so far (without waiting).
pub fn received_events(
    live: &mut tokio::sync::broadcast::Receiver<server::events::Sequenced>,
) -> Vec<server::events::Sequenced> {
    let mut events = Vec::new();
    while let Ok(event) = live.try_recv() {
        events.push(event);
    }
    events
}
