//! Media files of messages: where they are kept (object_store: a local folder by default, S3 or
//! GCS by URL), fetching customers' media from the provider, uploads for replies, and the
//! authenticated, tenant-checked route the inbox reads them through.

pub mod domain;
pub mod fetch;
pub mod http;
pub mod store;

pub use store::MediaStore;
