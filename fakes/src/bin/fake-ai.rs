//! `fake-ai`: the fake OpenAI-compatible or Gemini server for local demos and browser tests.
//!
//! ```text
//! cargo run -p fakes --bin fake-ai -- --provider openai --port 4020 --api-key sk-demo
//! cargo run -p fakes --bin fake-ai -- --provider gemini --port 4030 --api-key demo-key
//! ```
//! Prints the base URL on the first stdout line, then serves until Ctrl-C and prints any spec
//! violations it saw. See the crate README for `/_fake/...`.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use fakes::gemini::{FakeGemini, FakeGeminiConfig};
use fakes::openai::{FakeOpenAi, FakeOpenAiConfig};

const USAGE: &str = "usage: fake-ai --provider openai|gemini [--port N] [--host IP] \
[--api-key KEY]... [--any-key] [--model NAME]... [--any-model] [--dims N] [--latency-ms N] \
[--spec PATH (openai)]";

#[derive(Debug)]
struct Args {
    provider: String,
    host: String,
    port: Option<u16>,
    api_keys: Vec<String>,
    any_key: bool,
    models: Vec<String>,
    any_model: bool,
    dims: usize,
    latency_ms: u64,
    spec: Option<String>,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args> {
    let mut a = Args {
        provider: String::new(),
        host: "127.0.0.1".into(),
        port: None,
        api_keys: Vec::new(),
        any_key: false,
        models: Vec::new(),
        any_model: false,
        dims: fakes::ai::DEFAULT_DIMS,
        latency_ms: 0,
        spec: None,
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--provider" => a.provider = value()?,
            "--host" => a.host = value()?,
            "--port" => a.port = Some(value()?.parse().context("--port must be a number")?),
            "--api-key" => a.api_keys.push(value()?),
            "--any-key" => a.any_key = true,
            "--model" => a.models.push(value()?),
            "--any-model" => a.any_model = true,
            "--dims" => a.dims = value()?.parse().context("--dims must be a number")?,
            "--latency-ms" => {
                a.latency_ms = value()?.parse().context("--latency-ms must be a number")?;
            }
            "--spec" => a.spec = Some(value()?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    if a.api_keys.is_empty() && !a.any_key {
        a.api_keys.push("demo".into());
    }
    Ok(a)
}

fn report(violations: &[String]) {
    if !violations.is_empty() {
        eprintln!("fake-ai: {} spec violation(s):", violations.len());
        for v in violations {
            eprintln!("  {v}");
        }
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = parse_args(std::env::args().skip(1))?;
    let port = |default: u16| args.port.unwrap_or(default);
    let addr = |port: u16| -> Result<SocketAddr> {
        format!("{}:{port}", args.host).parse().context("--host/--port do not form an address")
    };
    let latency = Duration::from_millis(args.latency_ms);
    match args.provider.as_str() {
        "openai" => {
            let mut config = FakeOpenAiConfig {
                spec_path: args.spec.clone().map(Into::into),
                addr: addr(port(4020))?,
                accept_any_key: args.any_key,
                accept_any_model: args.any_model,
                dims: args.dims,
                ..FakeOpenAiConfig::default()
            };
            config.models.extend(args.models.iter().cloned());
            let fake = FakeOpenAi::start(config).await?;
            args.api_keys.iter().for_each(|k| fake.add_api_key(k.clone()));
            fake.set_latency(latency);
            println!("{}", fake.base_url());
            eprintln!("fake-ai: OpenAI-compatible API, keys {:?}", args.api_keys);
            tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
            report(&fake.violations());
        }
        "gemini" => {
            let mut config = FakeGeminiConfig {
                addr: addr(port(4030))?,
                accept_any_key: args.any_key,
                accept_any_model: args.any_model,
                dims: args.dims,
                ..FakeGeminiConfig::default()
            };
            config.models.extend(args.models.iter().cloned());
            let fake = FakeGemini::start(config).await?;
            args.api_keys.iter().for_each(|k| fake.add_api_key(k.clone()));
            fake.set_latency(latency);
            println!("{}", fake.base_url());
            eprintln!("fake-ai: Gemini API (v1beta), keys {:?}", args.api_keys);
            tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
            report(&fake.violations());
        }
        _ => bail!("--provider must be openai or gemini\n{USAGE}"),
    }
    Ok(())
}
