//! Campaigns at scale: how fast the sender goes against the fake Graph API on loopback (one
//! number, ten numbers), how exactly it keeps a number's rate, how much memory the server holds
//! while a 100,000-recipient campaign runs, and how the API answers meanwhile.
//!
//! `make bench` runs it; the README's "Benchmarks" section reports the figures. It is a plain
//! binary (`harness = false`) made of three kinds of process, so that each figure is about the
//! server alone:
//! - the **fake Graph API** runs in a child process: it keeps every message it accepts (and
//!   validates each against Meta's OpenAPI document), which must not count as server memory;
//!   rates are measured on its side, from when it accepted each message, as Meta would see them;
//! - each **database backend** runs in a process of its own (SQLite, then PostgreSQL when
//!   `MASTER_IA_BENCH_PG_URL` names an admin connection): a real server (the same
//!   `Application::build` as production) driven through its HTTP API, and the memory figures
//!   are that process's resident set;
//! - the parent only starts the two backends in turn.
//!
//! Environment: `BENCH_RECIPIENTS` (default 100000), `MASTER_IA_BENCH_PG_URL` (e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`; a scratch database is created and dropped).

#[path = "../tests/common/mod.rs"]
mod common;

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use fakes::graph::{FakeGraph, FakeGraphConfig, PhoneNumber};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database};
use serde::Deserialize;
use serde_json::{json, Value};
use server::config::Secret;
use uuid::Uuid;

/// Which part of the benchmark this process plays (unset: the parent).
const ROLE: &str = "MASTER_IA_BENCH_ROLE";
const WABA_ID: &str = "102290129340398";
const TOKEN: &str = "EAAG-test-token";
/// Numbers: one for the single-number run, ten for the ten-number run, two for rate accuracy.
const NUMBERS: usize = 13;
/// Recipients of the rate-accuracy campaigns: about 30 and 20 seconds of sending.
const AT_80: u64 = 2_400;
const AT_500: u64 = 10_000;

fn phone_number_id(index: usize) -> String {
    format!("10654035224{index:04}")
}

fn main() {
    match std::env::var(ROLE).as_deref() {
        Ok("fake") => fake_graph_process(),
        Ok(backend @ ("sqlite" | "postgres")) => backend_process(backend),
        _ => parent(),
    }
}

/// Runs each backend in a process of its own, so one's memory does not show in the other's.
fn parent() {
    let recipients = recipients();
    println!(
        "campaigns benchmark: {recipients} recipients, on {} core(s)",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    let mut backends = vec!["sqlite"];
    match std::env::var("MASTER_IA_BENCH_PG_URL") {
        Ok(url) if !url.trim().is_empty() => backends.push("postgres"),
        _ => println!("(PostgreSQL skipped: set MASTER_IA_BENCH_PG_URL to include it)"),
    }
    let exe = std::env::current_exe().expect("own path");
    for backend in backends {
        let status = Command::new(&exe).env(ROLE, backend).status().expect("backend process");
        assert!(status.success(), "the {backend} run failed: {status}");
    }
}

fn recipients() -> u64 {
    std::env::var("BENCH_RECIPIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
        .max(AT_80 + AT_500)
}

/// The fake Graph API with [`NUMBERS`] numbers sharing one WABA and its approved template;
/// prints its base URL and serves until the parent closes stdin.
fn fake_graph_process() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let fake = FakeGraph::start(FakeGraphConfig::default()).await.expect("fake Graph starts");
        for index in 0..NUMBERS {
            let mut number = PhoneNumber::new(phone_number_id(index), TOKEN);
            number.waba_id = WABA_ID.into();
            fake.add_phone_number(number);
        }
        fake.add_template(
            WABA_ID,
            json!({"name": "promo", "language": "pt_BR", "category": "MARKETING",
                   "status": "APPROVED",
                   "components": [{"type": "BODY", "text": "Olá {{1}}, use o cupom {{2}}."}]}),
        );
        println!("{}", fake.base_url());
        // Serve until the parent goes away (its end of our stdin closes).
        tokio::task::spawn_blocking(|| {
            let mut line = String::new();
            while std::io::stdin().read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                line.clear();
            }
        })
        .await
        .ok();
        let violations = fake.violations();
        if !violations.is_empty() {
            eprintln!("fake Graph API: {} spec violations: {violations:#?}", violations.len());
            std::process::exit(1);
        }
    });
}

struct FakeChild {
    child: Child,
    base_url: String,
}

impl FakeChild {
    fn start() -> FakeChild {
        let mut child = Command::new(std::env::current_exe().expect("own path"))
            .env(ROLE, "fake")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("fake Graph process");
        let mut base_url = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut base_url)
            .expect("the fake's address");
        FakeChild { child, base_url: base_url.trim().to_owned() }
    }

    /// Accept times (ms since the epoch) of the messages sent from `numbers`, in order.
    async fn accepted(&self, numbers: &[String]) -> Vec<u64> {
        #[derive(Deserialize)]
        struct Sent {
            phone_number_id: String,
            accepted_at_ms: u64,
        }
        let root = self.base_url.trim_end_matches("/v23.0");
        let sent: Vec<Sent> = reqwest::get(format!("{root}/_fake/sent"))
            .await
            .expect("the fake answers")
            .json()
            .await
            .expect("sent messages");
        let mut times: Vec<u64> = sent
            .into_iter()
            .filter(|s| numbers.contains(&s.phone_number_id))
            .map(|s| s.accepted_at_ms)
            .collect();
        times.sort_unstable();
        times
    }

    /// Closes the fake's stdin and checks it saw no request outside Meta's spec.
    fn finish(mut self) {
        drop(self.child.stdin.take());
        let status = self.child.wait().expect("fake Graph exits");
        assert!(status.success(), "the fake Graph API saw spec violations");
    }
}

fn backend_process(backend: &str) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let scratch = match backend {
            "postgres" => {
                let admin = std::env::var("MASTER_IA_BENCH_PG_URL").expect("admin URL");
                Some((scratch_database(&admin).await, admin))
            }
            _ => None,
        };
        let fake = FakeChild::start();
        run(backend, scratch.as_ref().map(|((url, _), _)| url.clone()), &fake).await;
        fake.finish();
        if let Some(((_, name), admin)) = scratch {
            drop_database(&admin, &name).await;
        }
    });
}

/// The server, its numbers and its contacts, as the scenarios use them.
struct World {
    /// The running server (it stops when this is dropped).
    _app: common::TestApp,
    user: common::TestUser,
    /// Connection ids, by number index.
    connections: Vec<String>,
}

async fn run(backend: &str, database_url: Option<String>, fake: &FakeChild) {
    let recipients = recipients();
    let (mut config, data_dir) = common::test_config().await;
    config.database_url = database_url.map(Secret::new);
    config.graph_api_base = fake.base_url.clone();
    // One campaign sender per number, as in production. The general workers stay off, as in
    // the test harness, which drains them itself (e-mail verification of the bench's user).
    config.campaign_senders = 10;
    let app = common::spawn_with(config, data_dir).await;
    let user = app.verified_user("Bench").await;
    let mut connections = Vec::new();
    for index in 0..NUMBERS {
        let connection = app.cloud_connection(&user, &phone_number_id(index)).await;
        let synced = user
            .session
            .post(&format!("/api/v1/connections/{}/templates/sync", connection.id), json!({}))
            .await;
        assert_eq!(synced.status(), StatusCode::OK, "template sync");
        connections.push(connection.id.to_string());
    }
    let world = World { _app: app, user, connections };
    println!("\n## {backend}");
    import_contacts(&world.user, recipients).await;

    // 1. One number at 1,000/s, everyone: throughput, memory, the API meanwhile.
    let idle = api_latencies(&world.user.session, 20).await;
    let rss_before = rss_kib();
    let probe = ApiProbe::start(world.user.session.clone());
    let sampler = RssSampler::start();
    let started = Instant::now();
    let id = world.campaign(0, "Todos", json!({"all_contacts": true}), 1_000).await;
    world.wait_completed(&[id], recipients).await;
    let elapsed = started.elapsed();
    let peak = sampler.stop();
    let busy = probe.stop().await;
    let times = fake.accepted(&[phone_number_id(0)]).await;
    assert_eq!(times.len() as u64, recipients, "every recipient once");
    let one = Pace::of(&times);
    println!(
        "{:<44} {:>7.0} msg/s (busiest second {}; {} sent in {:.1} s, start to completed)",
        "1 number at 1,000/s",
        one.average,
        one.busiest_second,
        times.len(),
        elapsed.as_secs_f64()
    );
    println!(
        "{:<44} {:>7.0} MB before, {:.0} MB at most while sending, {:.0} MB after",
        "server memory (resident)",
        rss_before as f64 / 1024.0,
        peak as f64 / 1024.0,
        rss_kib() as f64 / 1024.0
    );
    for (label, idle, busy) in [
        ("contacts list", &idle.contacts, &busy.contacts),
        ("conversations list", &idle.conversations, &busy.conversations),
    ] {
        println!(
            "{:<44} idle p95 {:>5.1} ms · while sending p50 {:.1} / p95 {:.1} / max {:.1} ms ({} calls)",
            format!("API {label}"),
            percentile(idle, 0.95),
            percentile(busy, 0.5),
            percentile(busy, 0.95),
            percentile(busy, 1.0),
            busy.len()
        );
    }

    // 2. Ten numbers at 1,000/s each, a tenth of the contacts each, at the same time.
    let mut ids = Vec::new();
    for group in 0..10 {
        let audience = json!({"tags": [format!("g{group}")]});
        ids.push(world.campaign(1 + group, &format!("Grupo {group}"), audience, 1_000).await);
    }
    world.wait_completed(&ids, recipients).await;
    let numbers: Vec<String> = (1..=10).map(phone_number_id).collect();
    let times = fake.accepted(&numbers).await;
    assert_eq!(times.len() as u64, recipients, "every recipient once");
    let ten = Pace::of(&times);
    println!(
        "{:<44} {:>7.0} msg/s in all (busiest second {})",
        "10 numbers at 1,000/s each", ten.average, ten.busiest_second
    );

    // 3. Rate accuracy: what Meta sees per second at a set rate.
    for (index, rate, tag, count) in [(11, 80, "r80", AT_80), (12, 500, "r500", AT_500)] {
        let id = world.campaign(index, tag, json!({"tags": [tag]}), rate).await;
        world.wait_completed(&[id], count).await;
        let times = fake.accepted(&[phone_number_id(index)]).await;
        assert_eq!(times.len() as u64, count, "every recipient once");
        let pace = Pace::of(&times);
        println!(
            "{:<44} {:>7.1} msg/s on average, busiest second {} ({} sends over {:.1} s)",
            format!("1 number at {rate}/s"),
            pace.average,
            pace.busiest_second,
            times.len(),
            pace.span_seconds
        );
    }
}

/// `BENCH_RECIPIENTS` contacts: `g0`..`g9` split them in ten, `r80` and `r500` mark the
/// audiences of the rate runs.
async fn import_contacts(user: &common::TestUser, count: u64) {
    let mut csv = String::with_capacity(count as usize * 48);
    csv.push_str("phone,name,tags\n");
    for n in 0..count {
        let mut tags = format!("g{}", n % 10);
        if n < AT_80 {
            tags.push_str(",r80");
        } else if n < AT_80 + AT_500 {
            tags.push_str(",r500");
        }
        csv.push_str(&format!("+55119{n:08},Cliente {n} Silva,\"{tags}\"\n"));
    }
    let started = Instant::now();
    let response = user.session.upload("/api/v1/contacts/import", "text/csv", csv).await;
    let status = response.status();
    let summary: Value = response.json().await.expect("import summary");
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["imported"], count, "{summary}");
    println!("{:<44} {:>7.1} s", "contacts imported", started.elapsed().as_secs_f64());
}

impl World {
    /// Creates and starts a campaign on number `index`; returns its id.
    async fn campaign(&self, index: usize, name: &str, audience: Value, rate: u32) -> String {
        let response = self
            .user
            .session
            .post(
                "/api/v1/campaigns",
                json!({
                    "name": name,
                    "connection_id": self.connections[index],
                    "template": {"name": "promo", "language": "pt_BR",
                                 "variables": ["{{contact.first_name|cliente}}", "BLACK20"]},
                    "audience": audience,
                    "rate_per_second": rate,
                }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
        let id = response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        let started =
            self.user.session.post(&format!("/api/v1/campaigns/{id}/start"), json!({})).await;
        assert_eq!(started.status(), StatusCode::OK, "{}", started.text().await.unwrap());
        id
    }

    /// Waits for every campaign to complete with `expected` sends in all.
    async fn wait_completed(&self, ids: &[String], expected: u64) {
        let deadline = Instant::now() + Duration::from_secs(1_800);
        loop {
            let mut sent = 0;
            let mut completed = 0;
            for id in ids {
                let campaign: Value = self
                    .user
                    .session
                    .get(&format!("/api/v1/campaigns/{id}"))
                    .await
                    .json()
                    .await
                    .expect("campaign");
                assert!(
                    matches!(campaign["status"].as_str(), Some("running" | "completed")),
                    "{campaign}"
                );
                sent += campaign["counts"]["sent"].as_u64().unwrap_or(0);
                completed += u64::from(campaign["status"] == "completed");
            }
            if completed == ids.len() as u64 {
                assert_eq!(sent, expected, "sent by the campaigns");
                return;
            }
            assert!(Instant::now() < deadline, "campaigns still running after 30 minutes");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// Sends per second as the receiving side saw them.
struct Pace {
    /// Sends per second from the first accept to the last.
    average: f64,
    /// The most sends in any 1-second window.
    busiest_second: usize,
    span_seconds: f64,
}

impl Pace {
    fn of(sorted_ms: &[u64]) -> Pace {
        let (Some(first), Some(last)) = (sorted_ms.first(), sorted_ms.last()) else {
            return Pace { average: 0.0, busiest_second: 0, span_seconds: 0.0 };
        };
        let span_seconds = (last - first) as f64 / 1000.0;
        let mut busiest_second = 0;
        let mut end = 0;
        for (start, at) in sorted_ms.iter().enumerate() {
            while end < sorted_ms.len() && sorted_ms[end] < at + 1000 {
                end += 1;
            }
            busiest_second = busiest_second.max(end - start);
        }
        let average = if span_seconds > 0.0 {
            (sorted_ms.len() - 1) as f64 / span_seconds
        } else {
            sorted_ms.len() as f64
        };
        Pace { average, busiest_second, span_seconds }
    }
}

/// Response times (ms) of the two lists agents keep open.
#[derive(Default)]
struct Latencies {
    contacts: Vec<f64>,
    conversations: Vec<f64>,
}

async fn api_latencies(session: &common::Session, rounds: usize) -> Latencies {
    let mut latencies = Latencies::default();
    for _ in 0..rounds {
        latencies.contacts.push(timed_get(session, "/api/v1/contacts?limit=50").await);
        latencies.conversations.push(timed_get(session, "/api/v1/conversations?limit=50").await);
    }
    latencies
}

async fn timed_get(session: &common::Session, path: &str) -> f64 {
    let started = Instant::now();
    let response = session.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.bytes().await.expect("body");
    started.elapsed().as_secs_f64() * 1000.0
}

/// An agent's browser while a campaign runs: the two lists, five times a second.
struct ApiProbe {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<Latencies>,
}

impl ApiProbe {
    fn start(session: common::Session) -> ApiProbe {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let task = tokio::spawn(async move {
            let mut latencies = Latencies::default();
            while !flag.load(Ordering::Relaxed) {
                let round = api_latencies(&session, 1).await;
                latencies.contacts.extend(round.contacts);
                latencies.conversations.extend(round.conversations);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            latencies
        });
        ApiProbe { stop, task }
    }

    async fn stop(self) -> Latencies {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.expect("probe")
    }
}

fn percentile(values: &[f64], at: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let index = ((sorted.len() - 1) as f64 * at).round() as usize;
    sorted[index]
}

/// This process's resident memory, in KiB (`/proc/self/status`, Linux).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                line.strip_prefix("VmRSS:")?.trim().trim_end_matches("kB").trim().parse().ok()
            })
        })
        .unwrap_or(0)
}

/// The highest resident memory seen, sampled every 100 ms on a thread of its own.
struct RssSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<Mutex<u64>>,
    thread: std::thread::JoinHandle<()>,
}

impl RssSampler {
    fn start() -> RssSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(Mutex::new(rss_kib()));
        let (flag, highest) = (stop.clone(), peak.clone());
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                let now = rss_kib();
                let mut peak = highest.lock().expect("peak");
                *peak = (*peak).max(now);
                drop(peak);
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        RssSampler { stop, peak, thread }
    }

    fn stop(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("sampler");
        let peak = *self.peak.lock().expect("peak");
        peak
    }
}

async fn scratch_database(admin: &str) -> (String, String) {
    let name = format!("mia_bench_{}", Uuid::new_v4().simple());
    let conn = Database::connect(admin).await.expect("PostgreSQL admin connection");
    conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create database");
    conn.close().await.ok();
    let base = admin.rsplit_once('/').map(|(base, _)| base.to_owned()).unwrap_or(admin.to_owned());
    (format!("{base}/{name}"), name)
}

async fn drop_database(admin: &str, name: &str) {
    let Ok(conn) = Database::connect(admin).await else { return };
    let _ =
        conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
    conn.close().await.ok();
}
