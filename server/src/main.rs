//! `master-ia`: read the config, build the application, serve until Ctrl-C/SIGTERM.

use server::{config::Config, observability, startup};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = match Config::load() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("master-ia: {err:#}");
            return std::process::ExitCode::from(2);
        }
    };
    observability::init_tracing(&config);
    match run(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err:#}");
            eprintln!("master-ia: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> anyhow::Result<()> {
    let public_url = config.public_base_url();
    let app = startup::Application::build(config).await?;
    tracing::info!(addr = %app.local_addr(), "listening");
    println!("Master IA is running at {public_url}  (Ctrl-C to stop)");
    app.run_until(startup::shutdown_signal()).await
}
