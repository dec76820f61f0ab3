//! A template as the customer would read it: a WhatsApp-style bubble, and beside it one input
//! per variable so a person sees exactly what `{{1}}`, `{{2}}`... will become.

use leptos::prelude::*;
use serde_json::Value;
use shared::{
    api::{TemplateDto, TemplateHeaderSend, TemplateSend},
    i18n::Key,
    templates::{component, placeholder_count, render, RenderedTemplate},
};

use crate::i18n::{fill, t, use_i18n};

/// How many variables a template's text header has (Meta allows at most one).
pub fn header_variables(components: &Value) -> usize {
    component(components, "HEADER")
        .filter(|header| {
            header
                .get("format")
                .and_then(Value::as_str)
                .is_none_or(|format| format.eq_ignore_ascii_case("TEXT"))
        })
        .and_then(|header| header.get("text"))
        .and_then(Value::as_str)
        .map_or(0, placeholder_count)
}

/// Renders `components` with the header and body values typed so far.
pub fn preview(components: &Value, header: &str, body: &[String]) -> RenderedTemplate {
    let send = TemplateSend {
        body: body.to_vec(),
        header: Some(TemplateHeaderSend::Text { text: header.to_owned() }),
        ..TemplateSend::default()
    };
    render(components, &send)
}

/// The rendered message, styled like an incoming WhatsApp bubble.
#[component]
pub fn Bubble(#[prop(into)] rendered: Signal<RenderedTemplate>) -> impl IntoView {
    view! {
        <div class="rounded-xl bg-[#e5ddd5] p-3 sm:p-4" data-testid="template-bubble">
            <div class="max-w-sm rounded-lg rounded-tl-none bg-white px-3 py-2 text-sm leading-6 text-slate-900 shadow-xs">
                {move || {
                    rendered
                        .with(|r| r.header.clone())
                        .map(|header| {
                            view! { <p class="font-semibold break-words" data-testid="template-bubble-header">{header}</p> }
                        })
                }}
                <p class="whitespace-pre-wrap break-words" data-testid="template-bubble-body">
                    {move || rendered.with(|r| r.body.clone())}
                </p>
                {move || {
                    rendered
                        .with(|r| r.footer.clone())
                        .map(|footer| {
                            view! { <p class="mt-1 text-xs text-slate-500 break-words" data-testid="template-bubble-footer">{footer}</p> }
                        })
                }}
            </div>
            <ul role="list" class="mt-1 max-w-sm space-y-1">
                {move || {
                    rendered
                        .with(|r| r.buttons.clone())
                        .into_iter()
                        .map(|button| {
                            view! {
                                <li class="rounded-lg bg-white px-3 py-1.5 text-center text-sm font-medium text-sky-600 shadow-xs" data-testid="template-bubble-button">
                                    {button}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
    .into_any()
}

/// One input per variable of `template`, with the bubble updating as the person types.
#[component]
pub fn TemplatePreview(template: TemplateDto) -> impl IntoView {
    let i18n = use_i18n();
    let components = StoredValue::new(template.components.clone());
    let header_count = header_variables(&template.components);
    let header = RwSignal::new(String::new());
    let body = RwSignal::new(vec![String::new(); template.body_variables]);
    let rendered = Memo::new(move |_| {
        let header = header.get();
        body.with(|values| components.with_value(|c| preview(c, &header, values)))
    });
    let prefix = template.id.simple().to_string();
    let inputs = (0..template.body_variables)
        .map(|index| {
            let id = format!("tpl-{prefix}-var-{}", index + 1);
            let label_id = id.clone();
            view! {
                <div class="space-y-1">
                    <label for=label_id class="block text-xs font-medium text-slate-600">
                        {move || fill(i18n.lang().t(Key::TemplateVariableN), &[("n", &(index + 1).to_string())])}
                    </label>
                    <input
                        id=id
                        class="input"
                        data-testid="template-var"
                        data-index=index + 1
                        on:input=move |ev| {
                            let value = event_target_value(&ev);
                            body.update(|values| {
                                if let Some(slot) = values.get_mut(index) {
                                    *slot = value;
                                }
                            });
                        }
                    />
                </div>
            }
        })
        .collect_view();
    let header_input = (header_count > 0).then(|| {
        let id = format!("tpl-{prefix}-header");
        view! {
            <div class="space-y-1">
                <label for=id.clone() class="block text-xs font-medium text-slate-600">{t(Key::TemplateHeaderVariable)}</label>
                <input id=id class="input" data-testid="template-header-var" on:input=move |ev| header.set(event_target_value(&ev))/>
            </div>
        }
    });
    let no_variables = template.body_variables == 0 && header_count == 0;
    view! {
        <div class="mt-4 grid gap-4 border-t border-slate-100 pt-4 md:grid-cols-2" data-testid="template-preview">
            <div class="space-y-3">
                <p class="text-xs font-semibold tracking-wide text-slate-500 uppercase">{t(Key::TemplateVariables)}</p>
                {no_variables
                    .then(|| view! { <p class="text-sm text-slate-600">{t(Key::TemplateNoVariables)}</p> })}
                {header_input}
                {inputs}
            </div>
            <div>
                <p class="mb-2 text-xs font-semibold tracking-wide text-slate-500 uppercase">{t(Key::CustomerSees)}</p>
                <Bubble rendered/>
            </div>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_text_headers_have_variables() {
        let text = json!([{"type": "HEADER", "format": "TEXT", "text": "Pedido {{1}}"}]);
        let image = json!([{"type": "HEADER", "format": "IMAGE"}]);
        assert_eq!(header_variables(&text), 1);
        assert_eq!(header_variables(&image), 0);
        assert_eq!(header_variables(&json!([{"type": "BODY", "text": "{{1}}"}])), 0);
    }

    #[test]
    fn the_preview_fills_what_was_typed_and_shows_the_rest() {
        let components = json!([
            {"type": "HEADER", "format": "TEXT", "text": "Pedido {{1}}"},
            {"type": "BODY", "text": "Olá {{1}}, chega {{2}}."}
        ]);
        let rendered = preview(&components, "", &["Ana".into(), String::new()]);
        assert_eq!(rendered.header.as_deref(), Some("Pedido {{1}}"));
        assert_eq!(rendered.body, "Olá Ana, chega {{2}}.");
    }
}
