//! Outgoing email. With `smtp_url` set it goes through SMTP; otherwise each message is written as
//! an `.eml` file into `<data_dir>/outbox/` (what `make run` and the tests use).
//!
//! Domain code never sends directly: it enqueues a `send_email` job in the same transaction as the
//! token the email carries, and the job handler here delivers it, retrying on failure.

use std::{path::PathBuf, sync::Arc};

use anyhow::Context;
use lettre::{
    message::{header::ContentType, Mailbox},
    transport::smtp::AsyncSmtpTransport,
    AsyncFileTransport, AsyncTransport, Message, Tokio1Executor,
};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use shared::i18n::{Key, Lang};

use crate::{
    config::Config,
    jobs::{self, Job, JobError, JobFuture, JobHandler, NewJob},
};

pub const SEND_EMAIL_JOB: &str = "send_email";

/// The payload of a `send_email` job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutgoingEmail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Puts an email on the queue, inside the caller's transaction.
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    email: OutgoingEmail,
) -> Result<(), sea_orm::DbErr> {
    let payload =
        serde_json::to_value(&email).map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
    jobs::enqueue(conn, NewJob::new(SEND_EMAIL_JOB, payload)).await.map(|_| ())
}

/// The texts of our emails, in the recipient's language.
pub fn compose(
    lang: Lang,
    to: &str,
    subject: Key,
    intro: Key,
    link: &str,
    context_line: Option<&str>,
) -> OutgoingEmail {
    let mut body = String::new();
    body.push_str(lang.t(intro));
    body.push_str("\n\n");
    if let Some(line) = context_line {
        body.push_str(line);
        body.push_str("\n\n");
    }
    body.push_str(link);
    body.push_str("\n\n");
    body.push_str(lang.t(Key::EmailIgnore));
    body.push_str("\n\n-- \nMaster IA\n");
    OutgoingEmail { to: to.to_owned(), subject: lang.t(subject).to_owned(), body }
}

#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(PathBuf),
}

impl Mailer {
    /// # Errors
    /// An SMTP URL lettre cannot use, or an outbox folder that cannot be created.
    pub fn from_config(config: &Config) -> anyhow::Result<Mailer> {
        match &config.smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .context("invalid configuration: smtp_url is not usable")?
                    .build();
                Ok(Mailer::Smtp(transport))
            }
            None => {
                let dir = config.outbox_dir();
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                Ok(Mailer::Outbox(dir))
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Mailer::Smtp(_) => "SMTP".into(),
            Mailer::Outbox(dir) => format!("files in {}", dir.display()),
        }
    }

    pub async fn send(&self, from: &Mailbox, email: &OutgoingEmail) -> Result<(), JobError> {
        let to: Mailbox = email.to.parse().map_err(|e| {
            JobError::Permanent(anyhow::anyhow!("bad recipient {:?}: {e}", email.to))
        })?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(email.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(email.body.clone())
            .map_err(|e| JobError::Permanent(anyhow::anyhow!("building the message: {e}")))?;
        match self {
            Mailer::Smtp(transport) => {
                transport
                    .send(message)
                    .await
                    .map_err(|e| JobError::Retry(anyhow::anyhow!("SMTP: {e}")))?;
            }
            Mailer::Outbox(dir) => {
                AsyncFileTransport::<Tokio1Executor>::new(dir)
                    .send(message)
                    .await
                    .map_err(|e| JobError::Retry(anyhow::anyhow!("writing to the outbox: {e}")))?;
            }
        }
        Ok(())
    }
}

/// Delivers `send_email` jobs.
pub struct SendEmailHandler {
    pub mailer: Mailer,
    pub from: Arc<Mailbox>,
}

impl JobHandler for SendEmailHandler {
    fn kind(&self) -> &'static str {
        SEND_EMAIL_JOB
    }

    fn perform(&self, job: Job) -> JobFuture {
        let mailer = self.mailer.clone();
        let from = self.from.clone();
        Box::pin(async move {
            let email: OutgoingEmail = serde_json::from_value(job.payload)
                .map_err(|e| JobError::Permanent(anyhow::anyhow!("bad send_email payload: {e}")))?;
            mailer.send(&from, &email).await?;
            metrics::counter!("master_ia_emails_sent_total").increment(1);
            tracing::info!(to = %email.to, subject = %email.subject, "email sent");
            Ok(())
        })
    }
}
