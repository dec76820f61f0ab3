//! `fake-graph`: the fake WhatsApp Cloud API for local demos and browser tests.
//!
//! ```text
//! cargo run -p fakes --bin fake-graph -- --port 4010 --phone-number-id 1234 --token demo \
//!     --webhook-url http://127.0.0.1:3000/api/webhooks/meta/SLUG --app-secret S
//! ```
//! Prints the base URL, then serves until Ctrl-C. See the crate README for `/_fake/...`.

use std::net::SocketAddr;

use anyhow::{bail, Context, Result};
use fakes::graph::{FakeGraph, FakeGraphConfig, PhoneNumber};

const USAGE: &str = "usage: fake-graph [--port N] [--host IP] [--phone-number-id ID] [--token T] \
[--waba-id ID] [--display-phone-number '+1 555...'] [--verified-name NAME] \
[--webhook-url URL --app-secret S] [--auto-status] [--lenient-templates] [--spec PATH]";

#[derive(Debug)]
struct Args {
    host: String,
    port: u16,
    phone_number_id: String,
    token: String,
    waba_id: Option<String>,
    display_phone_number: Option<String>,
    verified_name: Option<String>,
    webhook_url: Option<String>,
    app_secret: Option<String>,
    auto_status: bool,
    lenient_templates: bool,
    spec: Option<String>,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args> {
    let mut a = Args {
        host: "127.0.0.1".into(),
        port: 4010,
        phone_number_id: "1234".into(),
        token: "demo".into(),
        waba_id: None,
        display_phone_number: None,
        verified_name: None,
        webhook_url: None,
        app_secret: None,
        auto_status: false,
        lenient_templates: false,
        spec: None,
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--host" => a.host = value()?,
            "--port" => a.port = value()?.parse().context("--port must be a number")?,
            "--phone-number-id" => a.phone_number_id = value()?,
            "--token" => a.token = value()?,
            "--waba-id" => a.waba_id = Some(value()?),
            "--display-phone-number" => a.display_phone_number = Some(value()?),
            "--verified-name" => a.verified_name = Some(value()?),
            "--webhook-url" => a.webhook_url = Some(value()?),
            "--app-secret" => a.app_secret = Some(value()?),
            "--spec" => a.spec = Some(value()?),
            "--auto-status" => a.auto_status = true,
            "--lenient-templates" => a.lenient_templates = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    Ok(a)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = parse_args(std::env::args().skip(1))?;
    let addr: SocketAddr = format!("{}:{}", args.host, args.port)
        .parse()
        .context("--host/--port do not form an address")?;
    let config = FakeGraphConfig {
        spec_path: args.spec.map(Into::into),
        addr,
        strict_templates: !args.lenient_templates,
    };
    let fake = FakeGraph::start(config).await?;
    let mut phone = PhoneNumber::new(args.phone_number_id, args.token);
    if let Some(w) = args.waba_id {
        phone.waba_id = w;
    }
    if let Some(d) = args.display_phone_number {
        phone.display_phone_number = d;
    }
    if let Some(n) = args.verified_name {
        phone.verified_name = n;
    }
    println!("fake-graph: phone number {} (WABA {})", phone.id, phone.waba_id);
    fake.add_phone_number(phone);
    match (args.webhook_url, args.app_secret) {
        (Some(url), Some(secret)) => {
            println!("fake-graph: webhooks to {url}");
            fake.set_webhook(url, secret);
            fake.set_auto_status(args.auto_status);
        }
        (None, None) => {}
        _ => bail!("--webhook-url and --app-secret go together"),
    }
    println!("{}", fake.base_url());
    tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    let violations = fake.violations();
    if !violations.is_empty() {
        eprintln!("fake-graph: {} spec violation(s):", violations.len());
        for v in violations {
            eprintln!("  {v}");
        }
    }
    Ok(())
}
