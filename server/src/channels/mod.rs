//! Channels: how messages leave and arrive, one provider per connection kind.
//!
//! `whatsapp_cloud` speaks Meta's Graph API (the client, its error codes, webhook signatures and
//! payloads). SMS (Twilio) and WhatsApp QR sessions join here as siblings behind the same
//! provider trait when they land.

pub mod whatsapp_cloud;
