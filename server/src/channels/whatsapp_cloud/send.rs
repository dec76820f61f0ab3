//! Provider-neutral [`Outgoing`] messages → Graph API `/messages` bodies, and the
//! [`Channel`] of a WhatsApp Cloud connection.
//!
//! Bodies follow `POST /{Version}/{Phone-Number-ID}/messages` in Meta's OpenAPI document; the
//! fake Graph server validates each one against it in the tests.

use serde_json::{json, Map, Value};
use shared::api::{InteractiveSend, TemplateHeaderSend, TemplateSend};

use super::{client::CloudCredentials, errors::GraphError, GraphClient};
use crate::channels::{
    Channel, ChannelError, ChannelFuture, Content, MediaSource, Outgoing, SendReceipt,
};

/// A WhatsApp Cloud connection ready to send.
pub struct CloudChannel {
    pub client: GraphClient,
    pub credentials: CloudCredentials,
}

impl Channel for CloudChannel {
    fn send<'a>(&'a self, message: &'a Outgoing) -> ChannelFuture<'a, SendReceipt> {
        Box::pin(async move {
            let body = message_body(message);
            let id =
                self.client.send_message(&self.credentials, &body).await.map_err(channel_error)?;
            Ok(SendReceipt { provider_message_id: id })
        })
    }

    fn mark_read<'a>(
        &'a self,
        provider_message_id: &'a str,
        typing: bool,
    ) -> ChannelFuture<'a, ()> {
        Box::pin(async move {
            let mut body = json!({
                "messaging_product": "whatsapp",
                "status": "read",
                "message_id": provider_message_id,
            });
            if typing {
                body["typing_indicator"] = json!({"type": "text"});
            }
            self.client.mark_read(&self.credentials, &body).await.map_err(channel_error)
        })
    }
}

fn channel_error(err: GraphError) -> ChannelError {
    ChannelError { retry: err.retry(), code: err.code(), message: err.plain_words() }
}

/// The JSON body for `/messages`.
pub fn message_body(message: &Outgoing) -> Value {
    let mut body = Map::new();
    body.insert("messaging_product".into(), json!("whatsapp"));
    body.insert("recipient_type".into(), json!("individual"));
    // Graph takes the number without the `+`.
    body.insert("to".into(), json!(message.to.trim_start_matches('+')));
    if let Some(reply_to) = &message.reply_to {
        body.insert("context".into(), json!({ "message_id": reply_to }));
    }
    if let Some(tracker) = &message.tracker {
        body.insert("biz_opaque_callback_data".into(), json!(tracker));
    }
    let (kind, object) = match &message.content {
        Content::Text { body } => {
            let preview_url = body.contains("https://") || body.contains("http://");
            ("text", json!({ "body": body, "preview_url": preview_url }))
        }
        Content::Media { kind, source, caption, filename } => {
            let mut media = Map::new();
            match source {
                MediaSource::Id(id) => media.insert("id".into(), json!(id)),
                MediaSource::Link(link) => media.insert("link".into(), json!(link)),
            };
            let captioned = matches!(
                kind,
                shared::api::MediaKind::Image
                    | shared::api::MediaKind::Video
                    | shared::api::MediaKind::Document
            );
            if let Some(caption) = caption.as_ref().filter(|_| captioned) {
                media.insert("caption".into(), json!(caption));
            }
            if let Some(filename) =
                filename.as_ref().filter(|_| *kind == shared::api::MediaKind::Document)
            {
                media.insert("filename".into(), json!(filename));
            }
            (kind.as_str(), Value::Object(media))
        }
        Content::Template(template) => ("template", template_object(template)),
        Content::Interactive(interactive) => ("interactive", interactive_object(interactive)),
        Content::Reaction { provider_message_id, emoji } => {
            ("reaction", json!({ "message_id": provider_message_id, "emoji": emoji }))
        }
    };
    body.insert("type".into(), json!(kind));
    body.insert(kind.into(), object);
    Value::Object(body)
}

fn template_object(template: &TemplateSend) -> Value {
    let mut components = Vec::new();
    if let Some(header) = &template.header {
        let parameter = match header {
            TemplateHeaderSend::Text { text } => json!({"type": "text", "text": text}),
            TemplateHeaderSend::Image { link } => json!({"type": "image", "image": {"link": link}}),
            TemplateHeaderSend::Video { link } => json!({"type": "video", "video": {"link": link}}),
            TemplateHeaderSend::Document { link, filename } => {
                let mut document = json!({"link": link});
                if let Some(filename) = filename {
                    document["filename"] = json!(filename);
                }
                json!({"type": "document", "document": document})
            }
        };
        components.push(json!({"type": "header", "parameters": [parameter]}));
    }
    if !template.body.is_empty() {
        let parameters: Vec<Value> =
            template.body.iter().map(|text| json!({"type": "text", "text": text})).collect();
        components.push(json!({"type": "body", "parameters": parameters}));
    }
    for button in &template.buttons {
        let parameter = if button.sub_type == "quick_reply" {
            json!({"type": "payload", "payload": button.value})
        } else {
            json!({"type": "text", "text": button.value})
        };
        components.push(json!({
            "type": "button",
            "sub_type": button.sub_type,
            "index": button.index.to_string(),
            "parameters": [parameter],
        }));
    }
    let mut object = json!({
        "name": template.name,
        "language": {"code": template.language},
    });
    if !components.is_empty() {
        object["components"] = Value::Array(components);
    }
    object
}

fn interactive_object(interactive: &InteractiveSend) -> Value {
    let mut object = Map::new();
    if let Some(header) = &interactive.header {
        object.insert("header".into(), json!({"type": "text", "text": header}));
    }
    object.insert("body".into(), json!({"text": interactive.body}));
    if let Some(footer) = &interactive.footer {
        object.insert("footer".into(), json!({"text": footer}));
    }
    match &interactive.list {
        Some(list) => {
            object.insert("type".into(), json!("list"));
            let sections: Vec<Value> = list
                .sections
                .iter()
                .map(|section| {
                    let rows: Vec<Value> = section
                        .rows
                        .iter()
                        .map(|row| {
                            let mut value = json!({"id": row.id, "title": row.title});
                            if let Some(description) = &row.description {
                                value["description"] = json!(description);
                            }
                            value
                        })
                        .collect();
                    json!({"title": section.title, "rows": rows})
                })
                .collect();
            object.insert("action".into(), json!({"button": list.button, "sections": sections}));
        }
        None => {
            object.insert("type".into(), json!("button"));
            let buttons: Vec<Value> = interactive
                .buttons
                .iter()
                .map(|b| json!({"type": "reply", "reply": {"id": b.id, "title": b.title}}))
                .collect();
            object.insert("action".into(), json!({"buttons": buttons}));
        }
    }
    Value::Object(object)
}
