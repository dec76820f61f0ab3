//! Channels: how messages leave and arrive, one provider per connection kind.
//!
//! [`Channel`] is what the inbox, campaigns and automations send through; each connection kind
//! implements it (`whatsapp_cloud` today; SMS and QR sessions join as siblings). Providers map
//! their own errors into [`ChannelError`], whose [`Retry`] class decides what the job runtime
//! does next.

pub mod whatsapp_cloud;

use std::{future::Future, pin::Pin};

pub use whatsapp_cloud::errors::Retry;

/// A message to send, provider-neutral. `to` is E.164.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub to: String,
    pub content: Content,
    /// The provider id of the message this one quotes.
    pub reply_to: Option<String>,
    /// Our own tag for the message, which the provider hands back on every status update of
    /// it (WhatsApp's `biz_opaque_callback_data`): how a send whose answer was lost is found.
    pub tracker: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Text {
        body: String,
    },
    Media {
        kind: shared::api::MediaKind,
        source: MediaSource,
        caption: Option<String>,
        filename: Option<String>,
    },
    Template(shared::api::TemplateSend),
    Interactive(shared::api::InteractiveSend),
    /// `emoji` empty removes the reaction.
    Reaction {
        provider_message_id: String,
        emoji: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum MediaSource {
    /// Uploaded to the provider before.
    Id(String),
    /// A public HTTPS URL the provider fetches.
    Link(String),
}

/// The provider accepted the message.
#[derive(Debug, Clone, PartialEq)]
pub struct SendReceipt {
    pub provider_message_id: String,
}

/// A send the provider did not accept.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ChannelError {
    pub retry: Retry,
    /// The provider's error code (Graph `code`, Twilio `code`), when it gave one.
    pub code: Option<i64>,
    /// In plain words, for the agent.
    pub message: String,
}

pub type ChannelFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ChannelError>> + Send + 'a>>;

/// What every connection kind can do.
pub trait Channel: Send + Sync {
    fn send<'a>(&'a self, message: &'a Outgoing) -> ChannelFuture<'a, SendReceipt>;
    /// Tells the customer their message was read (blue ticks), where the channel has them; with
    /// `typing`, also that an agent is writing a reply (WhatsApp shows "typing…" for up to 25 s
    /// or until the reply arrives).
    fn mark_read<'a>(&'a self, provider_message_id: &'a str, typing: bool)
        -> ChannelFuture<'a, ()>;
}
