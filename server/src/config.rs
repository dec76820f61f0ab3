//! Layered configuration: built-in defaults → optional `master-ia.toml` → environment
//! (`MASTER_IA_<KEY>`, plus the conventional `DATABASE_URL`). Unknown keys and bad values stop the
//! start with a message naming the key. Secrets are `Secret<T>` and print as `[redacted]`.

use std::{fmt, net::SocketAddr, path::PathBuf};

use anyhow::{bail, Context};
use figment::{
    providers::{Env, Format, Serialized, Toml},
    Figment,
};
use serde::{Deserialize, Serialize};
use url::Url;

/// A value that never shows itself in `Debug`/`Display` (logs, panics, error chains).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Secret(value)
    }
    /// The only way to read the value: greppable on purpose.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Every setting of the server. Field names are the config keys: `addr` is `addr` in the TOML file
/// and `MASTER_IA_ADDR` in the environment. `.env.example` documents each one.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub addr: SocketAddr,
    /// SQLite database, media, the email outbox and the generated key file live here.
    pub data_dir: PathBuf,
    /// `postgres://...` for PostgreSQL; unset means SQLite at `<data_dir>/master-ia.db`.
    pub database_url: Option<Secret<String>>,
    /// The URL people open, used in emailed links and to decide on `Secure` cookies.
    /// Defaults to `http://<addr>`.
    pub public_url: Option<String>,
    /// Folder with the built front end (`pkg/` with the WASM, JS and CSS).
    pub site_root: PathBuf,
    pub log_format: LogFormat,
    /// `tracing` filter, e.g. `info` or `info,server=debug`; `RUST_LOG` wins when set.
    pub log_level: String,
    /// How long a login lasts.
    pub session_ttl_hours: u32,
    /// Extra secrets-encryption keys as `id:base64key,id2:base64key` (32-byte keys). When unset,
    /// a key is generated into `<data_dir>/secret.key` on first start.
    pub encryption_keys: Option<Secret<String>>,
    /// Which key id encrypts new values (default: the generated key, or the first configured).
    pub encryption_active_key: Option<String>,
    /// Signs session JWTs. When unset, generated into `<data_dir>/secret.key` too.
    pub jwt_secret: Option<Secret<String>>,
    /// `smtp://user:pass@host:587` (STARTTLS) or `smtps://...:465`; unset writes emails as `.eml`
    /// files into `<data_dir>/outbox/`.
    pub smtp_url: Option<Secret<String>>,
    pub email_from: String,
    /// Take the client IP from `X-Forwarded-For` (only behind a trusted reverse proxy).
    pub trust_proxy_headers: bool,
    /// Login and signup attempts allowed per client IP per minute.
    pub auth_rate_per_ip_per_minute: u32,
    /// Login attempts allowed per account (email) per minute.
    pub auth_rate_per_account_per_minute: u32,
    /// Background job workers in this process (0 disables them, e.g. for a web-only node).
    pub workers: u32,
    /// How often an idle worker looks for due jobs.
    pub worker_poll_ms: u64,
    /// Campaign sender workers in this process: each one sends for one WhatsApp number at a
    /// time, so this is how many numbers can run campaigns at once (0 disables sending here).
    pub campaign_senders: u32,
    /// A recipient claimed (or mid-send) for longer than this belongs to a sender that died:
    /// claimed ones are queued again, interrupted sends await Meta's word.
    pub campaign_claim_timeout_seconds: u64,
    /// How long an interrupted send waits for a status webhook that proves Meta accepted it;
    /// with none by then, Meta never took it and it is queued again.
    pub campaign_unknown_grace_seconds: u64,
    /// Retry delays after a passing failure start here and double, with jitter.
    pub campaign_retry_base_ms: u64,
    /// Attempts per recipient before a retryable failure becomes final.
    pub campaign_max_attempts: u32,
    /// How long shutdown waits for in-flight requests and jobs.
    pub shutdown_grace_seconds: u64,
    /// Meta's Graph API, version included. Tests and demos point it at the fake Graph server.
    pub graph_api_base: String,
    /// How long a call to a messaging provider may take before it counts as failed.
    pub provider_timeout_seconds: u64,
    /// Where message media is kept: `s3://bucket/prefix`, `gs://bucket/prefix` or
    /// `file:///abs/dir` (credentials from the usual `AWS_*` / `GOOGLE_*` variables); unset means
    /// `<data_dir>/media`.
    pub media_store_url: Option<String>,
    /// How long a call to an AI provider (chat or embeddings) may take before it counts as
    /// failed.
    pub ai_timeout_seconds: u64,
    /// How long a persona waits after a customer's last message before answering, so a burst
    /// of messages ("oi" / "tudo bem?" / "qual o prazo?") gets one answer; each new message
    /// restarts the wait.
    pub ai_reply_delay_ms: u64,
    /// The embedder knowledge bases use when they do not name one: `openai`, `gemini`,
    /// `ollama` or `openai_compatible` (unset: every knowledge base must name its own).
    pub embedding_provider: Option<String>,
    /// Its model (empty: the provider's usual one).
    pub embedding_model: Option<String>,
    /// Its base URL (needed for `openai_compatible`; optional otherwise).
    pub embedding_base_url: Option<String>,
    pub embedding_api_key: Option<Secret<String>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            public_url: None,
            site_root: PathBuf::from("target/site"),
            log_format: LogFormat::Pretty,
            log_level: "info".into(),
            session_ttl_hours: 24 * 7,
            encryption_keys: None,
            encryption_active_key: None,
            jwt_secret: None,
            smtp_url: None,
            email_from: "Master IA <no-reply@master-ia.local>".into(),
            trust_proxy_headers: false,
            auth_rate_per_ip_per_minute: 20,
            auth_rate_per_account_per_minute: 5,
            workers: 2,
            worker_poll_ms: 250,
            campaign_senders: 4,
            campaign_claim_timeout_seconds: 120,
            campaign_unknown_grace_seconds: 900,
            campaign_retry_base_ms: 2000,
            campaign_max_attempts: 5,
            shutdown_grace_seconds: 20,
            graph_api_base: "https://graph.facebook.com/v23.0".into(),
            provider_timeout_seconds: 20,
            media_store_url: None,
            ai_timeout_seconds: 30,
            ai_reply_delay_ms: 3_000,
            embedding_provider: None,
            embedding_model: None,
            embedding_base_url: None,
            embedding_api_key: None,
        }
    }
}

/// Where the optional config file is looked for, unless `MASTER_IA_CONFIG` names another.
pub const CONFIG_FILE: &str = "master-ia.toml";

impl Config {
    /// Reads defaults → file → environment, then checks the values.
    ///
    /// # Errors
    /// Names the offending key for an unknown key, a value of the wrong type, or a bad URL.
    pub fn load() -> anyhow::Result<Config> {
        let file = std::env::var("MASTER_IA_CONFIG").unwrap_or_else(|_| CONFIG_FILE.to_owned());
        let explicit_file = std::env::var_os("MASTER_IA_CONFIG").is_some();
        if explicit_file && !std::path::Path::new(&file).exists() {
            bail!("MASTER_IA_CONFIG points at {file}, which does not exist");
        }
        let figment = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(&file))
            .merge(Env::raw().only(&["DATABASE_URL"]).map(|_| "database_url".into()))
            .merge(Env::prefixed("MASTER_IA_").ignore(&["CONFIG"]));
        Self::from_figment(figment)
    }

    fn from_figment(figment: Figment) -> anyhow::Result<Config> {
        let config: Config = figment.extract().map_err(|err| {
            let messages: Vec<String> = err.into_iter().map(|e| e.to_string()).collect();
            anyhow::anyhow!("invalid configuration: {}", messages.join("; "))
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if let Some(url) = &self.database_url {
            let url = url.expose();
            if !(url.starts_with("postgres://")
                || url.starts_with("postgresql://")
                || url.starts_with("sqlite:"))
            {
                bail!("invalid configuration: database_url must start with postgres://, postgresql:// or sqlite:");
            }
        }
        if let Some(public_url) = &self.public_url {
            let parsed = Url::parse(public_url).with_context(|| {
                format!("invalid configuration: public_url {public_url:?} is not a URL")
            })?;
            if !matches!(parsed.scheme(), "http" | "https") {
                bail!("invalid configuration: public_url must be http:// or https://");
            }
        }
        if let Some(smtp) = &self.smtp_url {
            let parsed = Url::parse(smtp.expose())
                .map_err(|_| anyhow::anyhow!("invalid configuration: smtp_url is not a URL"))?;
            if !matches!(parsed.scheme(), "smtp" | "smtps") {
                bail!("invalid configuration: smtp_url must start with smtp:// or smtps://");
            }
        }
        if self.session_ttl_hours == 0 {
            bail!("invalid configuration: session_ttl_hours must be at least 1");
        }
        if self.auth_rate_per_ip_per_minute == 0 || self.auth_rate_per_account_per_minute == 0 {
            bail!("invalid configuration: auth rate limits must be at least 1 per minute");
        }
        let graph = Url::parse(&self.graph_api_base).map_err(|_| {
            anyhow::anyhow!(
                "invalid configuration: graph_api_base {:?} is not a URL",
                self.graph_api_base
            )
        })?;
        if !matches!(graph.scheme(), "http" | "https") {
            bail!("invalid configuration: graph_api_base must be http:// or https://");
        }
        if self.campaign_max_attempts == 0 {
            bail!("invalid configuration: campaign_max_attempts must be at least 1");
        }
        if self.campaign_claim_timeout_seconds <= self.provider_timeout_seconds {
            bail!(
                "invalid configuration: campaign_claim_timeout_seconds must be longer than \
                 provider_timeout_seconds (a send in progress must not look abandoned)"
            );
        }
        if self.provider_timeout_seconds == 0 {
            bail!("invalid configuration: provider_timeout_seconds must be at least 1");
        }
        if self.ai_timeout_seconds == 0 {
            bail!("invalid configuration: ai_timeout_seconds must be at least 1");
        }
        if self.ai_reply_delay_ms > 60_000 {
            bail!("invalid configuration: ai_reply_delay_ms must be at most 60000 (one minute)");
        }
        if let Some(provider) = &self.embedding_provider {
            if shared::ai::AiProvider::parse(provider).is_none() {
                bail!(
                    "invalid configuration: embedding_provider must be openai, gemini, ollama or \
                     openai_compatible"
                );
            }
        }
        if self.worker_poll_ms == 0 {
            bail!("invalid configuration: worker_poll_ms must be at least 1");
        }
        Ok(())
    }

    /// The public base URL without a trailing slash.
    pub fn public_base_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.addr),
        }
    }

    /// Cookies get `Secure` when people reach us over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_base_url().starts_with("https://")
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `file` plays the config file, `overrides` a later layer such as the environment.
    fn load_from(file: &str, overrides: &[(&str, u32)]) -> anyhow::Result<Config> {
        let mut figment =
            Figment::from(Serialized::defaults(Config::default())).merge(Toml::string(file));
        for (key, value) in overrides {
            figment = figment.merge((*key, *value));
        }
        Config::from_figment(figment)
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let config = load_from("", &[]).unwrap();
        assert_eq!(config.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.data_dir, PathBuf::from("./data"));
        assert!(config.database_url.is_none());
        assert_eq!(config.public_base_url(), "http://127.0.0.1:3000");
        assert!(!config.secure_cookies());
    }

    #[test]
    fn later_layers_override_earlier_ones() {
        let config = load_from("addr = \"0.0.0.0:8080\"\nworkers = 4", &[("workers", 1)]).unwrap();
        assert_eq!(config.addr.to_string(), "0.0.0.0:8080");
        assert_eq!(config.workers, 1);
    }

    #[test]
    fn unknown_keys_are_rejected_by_name() {
        let err = load_from("adress = \"0.0.0.0:1\"", &[]).unwrap_err().to_string();
        assert!(err.contains("adress"), "{err}");
    }

    #[test]
    fn bad_values_are_rejected_by_name() {
        let err = load_from("addr = \"not an address\"", &[]).unwrap_err().to_string();
        assert!(err.contains("addr"), "{err}");
        let err = load_from("database_url = \"mysql://x\"", &[]).unwrap_err().to_string();
        assert!(err.contains("database_url"), "{err}");
        let err = load_from("public_url = \"ftp://x\"", &[]).unwrap_err().to_string();
        assert!(err.contains("public_url"), "{err}");
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let config =
            load_from("jwt_secret = \"super-secret-value\"\nsmtp_url = \"smtp://u:pw@h\"", &[])
                .unwrap();
        let printed = format!("{config:?}");
        assert!(!printed.contains("super-secret-value"), "{printed}");
        assert!(!printed.contains("pw@h"), "{printed}");
        assert!(printed.contains("[redacted]"));
    }

    #[test]
    fn https_public_url_turns_on_secure_cookies() {
        let config = load_from("public_url = \"https://panel.example.com/\"", &[]).unwrap();
        assert_eq!(config.public_base_url(), "https://panel.example.com");
        assert!(config.secure_cookies());
    }
}
