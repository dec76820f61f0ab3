//! Contacts at scale: a 100,000-line CSV import and the list queries agents run over 100,000
//! contacts, through the real HTTP API of a real server (same `Application::build` as
//! production), on SQLite and — when `MASTER_IA_BENCH_PG_URL` names an admin connection — on
//! PostgreSQL too.
//!
//! `make bench` runs it; the README's "Benchmarks" section reports the figures. It is a plain
//! binary (`harness = false`): one timed run per scenario is what a user feels, and queries are
//! repeated a few times and reported as a median.
//!
//! Environment: `BENCH_ROWS` (default 100000), `MASTER_IA_BENCH_PG_URL` (e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`; a scratch database is created and dropped).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use server::config::Secret;
use uuid::Uuid;

/// Query repetitions whose median is reported.
const QUERY_RUNS: usize = 15;

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    let rows: u64 =
        std::env::var("BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let csv = sample_csv(rows);
    println!(
        "contacts benchmark: {rows} lines, {:.1} MB CSV, on {} core(s)",
        csv.len() as f64 / 1e6,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );

    run("sqlite", None, &csv, rows).await;
    match std::env::var("MASTER_IA_BENCH_PG_URL") {
        Ok(admin) if !admin.trim().is_empty() => {
            let (url, name) = scratch_database(&admin).await;
            run("postgres", Some(url), &csv, rows).await;
            drop_database(&admin, &name).await;
        }
        _ => println!("\n(PostgreSQL skipped: set MASTER_IA_BENCH_PG_URL to include it)"),
    }
}

async fn run(backend: &str, database_url: Option<String>, csv: &str, rows: u64) {
    let (mut config, data_dir) = common::test_config().await;
    config.database_url = database_url.map(Secret::new);
    let app = common::spawn_with(config, data_dir).await;
    let user = app.verified_user("Bench").await;
    println!("\n## {backend}");

    let (elapsed, summary) = import(&user, csv).await;
    assert_eq!(summary["imported"], rows, "{summary}");
    report_import("import, all new", rows, elapsed);

    let (elapsed, summary) = import(&user, csv).await;
    assert_eq!(summary["updated"], rows, "{summary}");
    report_import("import again, all updates", rows, elapsed);

    let queries: [(&str, &str); 6] = [
        ("list: first page (newest)", "/api/v1/contacts?limit=50"),
        ("list: sorted by name", "/api/v1/contacts?limit=50&sort=name"),
        ("list: search by name", "/api/v1/contacts?limit=50&q=person%2077"),
        ("list: search by phone digits", "/api/v1/contacts?limit=50&q=910050077"),
        ("list: tag filter", "/api/v1/contacts?limit=50&tag=vip"),
        ("count: tag filter", "/api/v1/contacts/count?tag=vip"),
    ];
    for (label, path) in queries {
        let median = median_of(QUERY_RUNS, || async {
            let response = user.session.get(path).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            response.bytes().await.expect("body");
        })
        .await;
        println!("{label:<34} {:>8.1} ms (median of {QUERY_RUNS})", ms(median));
    }

    let started = Instant::now();
    let response = user.session.get("/api/v1/contacts/export").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.bytes().await.expect("export body");
    let lines = body.iter().filter(|b| **b == b'\n').count() as u64;
    assert_eq!(lines, rows + 1, "header + one line per contact");
    println!(
        "{:<34} {:>8.2} s  ({:.1} MB)",
        "export: every contact as CSV",
        started.elapsed().as_secs_f64(),
        body.len() as f64 / 1e6
    );
}

async fn import(user: &common::TestUser, csv: &str) -> (Duration, Value) {
    let started = Instant::now();
    let response = user
        .session
        .upload("/api/v1/contacts/import?filename=bench.csv", "text/csv", csv.to_owned())
        .await;
    let status = response.status();
    let summary: Value = response.json().await.expect("summary");
    let elapsed = started.elapsed();
    assert_eq!(status, StatusCode::OK, "{summary}");
    (elapsed, summary)
}

fn report_import(label: &str, rows: u64, elapsed: Duration) {
    println!(
        "{label:<34} {:>8.2} s  ({:.0} lines/s)",
        elapsed.as_secs_f64(),
        rows as f64 / elapsed.as_secs_f64()
    );
}

async fn median_of<F, Fut>(runs: usize, mut once: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    once().await; // warm-up: statement caches, page cache
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        once().await;
        times.push(started.elapsed());
    }
    times.sort();
    times[runs / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// A Brazilian Excel-style export: `;` separators, a BOM, local phone formats, a custom
/// attribute and tags — the shape the issue names, not the easiest one to parse.
fn sample_csv(rows: u64) -> String {
    let mut csv = String::with_capacity(rows as usize * 80);
    csv.push_str("\u{feff}Telefone;Nome;E-mail;Tags;Cidade\n");
    const CITIES: [&str; 5] =
        ["São Paulo", "Rio de Janeiro", "Belo Horizonte", "Recife", "Curitiba"];
    for n in 0..rows {
        let tags = match n % 10 {
            0 => "vip,cliente",
            1..=4 => "cliente",
            _ => "lead",
        };
        csv.push_str(&format!(
            "(11) 9{:04}-{:04};Person {n};person{n}@example.com;\"{tags}\";{}\n",
            1000 + n / 10_000,
            n % 10_000,
            CITIES[(n % 5) as usize]
        ));
    }
    csv
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
