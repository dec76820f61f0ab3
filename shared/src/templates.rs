//! WhatsApp message templates: finding `{{1}}`-style placeholders and rendering a template with
//! its variables, so the UI previews exactly what the server checks before sending.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::{TemplateHeaderSend, TemplateSend};

/// A template as the customer would read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RenderedTemplate {
    pub header: Option<String>,
    pub body: String,
    pub footer: Option<String>,
    pub buttons: Vec<String>,
}

/// How many variables a text needs: the highest `{{n}}` (Meta numbers them from 1, in order).
pub fn placeholder_count(text: &str) -> usize {
    let mut highest = 0;
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                if let Ok(n) = after[..end].trim().parse::<usize>() {
                    highest = highest.max(n);
                }
                rest = &after[end + 2..];
            }
            None => break,
        }
    }
    highest
}

/// Replaces `{{n}}` with `values[n-1]`; a missing or blank value stays visible as `{{n}}`, so a
/// preview shows what is still to be filled in.
pub fn fill(text: &str, values: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let inner = &after[..end];
                match inner
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| values.get(n.wrapping_sub(1)))
                    .filter(|value| !value.trim().is_empty())
                {
                    Some(value) => out.push_str(value),
                    None => {
                        out.push_str("{{");
                        out.push_str(inner);
                        out.push_str("}}");
                    }
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The component of `kind` (`HEADER`, `BODY`, `FOOTER`, `BUTTONS`), case-insensitively.
pub fn component<'a>(components: &'a Value, kind: &str) -> Option<&'a Value> {
    components.as_array()?.iter().find(|c| {
        c.get("type").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case(kind))
    })
}

/// The body's text, if the template has one.
pub fn body_text(components: &Value) -> Option<&str> {
    component(components, "BODY")?.get("text")?.as_str()
}

/// Renders the template's components (Meta's shape) with the variables of `send`.
pub fn render(components: &Value, send: &TemplateSend) -> RenderedTemplate {
    let text_of = |kind: &str| {
        component(components, kind).and_then(|c| c.get("text")).and_then(Value::as_str)
    };
    let header = component(components, "HEADER").map(|header| {
        let format = header.get("format").and_then(Value::as_str).unwrap_or("TEXT");
        if format.eq_ignore_ascii_case("TEXT") {
            let values: Vec<String> = match &send.header {
                Some(TemplateHeaderSend::Text { text }) => vec![text.clone()],
                _ => Vec::new(),
            };
            fill(header.get("text").and_then(Value::as_str).unwrap_or(""), &values)
        } else {
            format!("[{}]", format.to_lowercase())
        }
    });
    let buttons = component(components, "BUTTONS")
        .and_then(|c| c.get("buttons"))
        .and_then(Value::as_array)
        .map(|buttons| {
            buttons
                .iter()
                .filter_map(|b| b.get("text").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    RenderedTemplate {
        header,
        body: fill(text_of("BODY").unwrap_or(""), &send.body),
        footer: text_of("FOOTER").map(str::to_owned),
        buttons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_are_counted_by_their_highest_number() {
        assert_eq!(placeholder_count("Olá {{1}}, pedido {{2}} ({{2}})"), 2);
        assert_eq!(placeholder_count("no variables"), 0);
        assert_eq!(placeholder_count("broken {{1"), 0);
        assert_eq!(placeholder_count("{{ 3 }}"), 3);
    }

    #[test]
    fn a_template_renders_with_its_variables() {
        let components = json!([
            {"type": "HEADER", "format": "TEXT", "text": "Pedido {{1}}"},
            {"type": "BODY", "text": "Olá {{1}}, seu pedido {{2}} saiu. {{3}}"},
            {"type": "FOOTER", "text": "Acme"},
            {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Rastrear"}]}
        ]);
        let send = TemplateSend {
            name: "order".into(),
            language: "pt_BR".into(),
            body: vec!["Ana".into(), "#123".into()],
            header: Some(TemplateHeaderSend::Text { text: "#123".into() }),
            buttons: Vec::new(),
        };
        let rendered = render(&components, &send);
        assert_eq!(rendered.header.as_deref(), Some("Pedido #123"));
        assert_eq!(rendered.body, "Olá Ana, seu pedido #123 saiu. {{3}}");
        assert_eq!(rendered.footer.as_deref(), Some("Acme"));
        assert_eq!(rendered.buttons, ["Rastrear"]);
    }

    #[test]
    fn blank_values_leave_their_placeholder_visible() {
        let values = vec!["Ana".to_owned(), "  ".to_owned()];
        assert_eq!(fill("Olá {{1}}, pedido {{2}}", &values), "Olá Ana, pedido {{2}}");
    }
}
