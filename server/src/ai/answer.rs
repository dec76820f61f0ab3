//! How a persona answers: hand off when the customer asks for a person, find the passages of
//! its knowledge base closest to the question, and ask the model to answer from them (and only
//! from them), saying which passages it was given.
//!
//! The test chat and the automatic replies in the inbox go through [`answer`], so what a team
//! tries in the panel is what its customers get.

use shared::{
    ai::{ChatRole, ChatTurn, HandoffPolicy, KnowledgeSource},
    text::fold,
    ErrorCode,
};

use super::{
    knowledge::{self, DEFAULT_SOURCES},
    personas,
    provider::{self, ChatMessage, ChatRequest, Role},
    AiContext,
};
use crate::{
    db::{entities::personas as persona_rows, Tenant},
    error::{AppError, AppResult},
};

/// Passages below this cosine similarity are not "about" the question. Tuned for the common
/// embedding models (OpenAI `text-embedding-3-*`, Gemini `text-embedding-004`), whose related
/// texts score from about 0.3 up; policy `on_low_confidence` hands off below it.
pub const MIN_SCORE: f32 = 0.25;
/// Earlier turns the model sees.
const HISTORY_TURNS: usize = 20;
const MAX_TURN_CHARS: usize = 4_000;
const MAX_TURNS: usize = 40;

/// Why a persona stepped aside.
#[derive(Debug, Clone, PartialEq)]
pub enum Handoff {
    /// The customer asked for a person ("quero falar com um humano").
    Asked { keyword: String },
    /// The knowledge base has nothing close to the question.
    NoKnowledge,
}

impl Handoff {
    pub fn reason(&self) -> String {
        match self {
            Handoff::Asked { keyword } => {
                format!("The customer asked for a person (\"{keyword}\").")
            }
            Handoff::NoKnowledge => {
                "The knowledge base has nothing about the customer's question.".to_owned()
            }
        }
    }
}

/// What a persona says.
#[derive(Debug, Clone)]
pub struct Answer {
    pub reply: String,
    pub sources: Vec<KnowledgeSource>,
    pub truncated: bool,
    /// Set when a person should take over; `reply` is then the policy's handoff message.
    pub handoff: Option<Handoff>,
}

/// A conversation the persona can answer: 1–40 turns of at most 4,000 characters, ending with
/// the customer's.
///
/// # Errors
/// `validation_failed` on `messages`.
pub fn check_history(turns: &[ChatTurn]) -> AppResult<()> {
    if turns.is_empty() || turns.len() > MAX_TURNS {
        return Err(AppError::field("messages", "Send from 1 to 40 messages."));
    }
    if turns.last().is_some_and(|t| t.role != ChatRole::User) {
        return Err(AppError::field("messages", "The last message must be the customer's."));
    }
    if turns.iter().any(|t| t.text.trim().is_empty() || t.text.chars().count() > MAX_TURN_CHARS) {
        return Err(AppError::field("messages", "Each message has 1 to 4,000 characters."));
    }
    Ok(())
}

/// The persona's answer to the last customer turn of `history`.
///
/// # Errors
/// `provider_error` (502) with a reason people understand when the model or the embedder fails;
/// 409 when the persona's key cannot be opened.
pub async fn answer(
    ai: &AiContext,
    tenant: Tenant,
    persona: &persona_rows::Model,
    history: &[ChatTurn],
) -> AppResult<Answer> {
    let policy: HandoffPolicy = serde_json::from_value(persona.handoff.clone()).unwrap_or_default();
    let question = history
        .iter()
        .rev()
        .find(|t| t.role == ChatRole::User)
        .map(|t| t.text.trim())
        .unwrap_or_default();
    if let Some(keyword) = asks_for_person(question, &policy.keywords) {
        return Ok(handoff(&policy, Handoff::Asked { keyword }));
    }

    let sources = match persona.knowledge_base_id {
        Some(base_id) => knowledge::retrieve(ai, tenant, base_id, question, DEFAULT_SOURCES)
            .await?
            .into_iter()
            .filter(|s| s.score >= MIN_SCORE)
            .collect(),
        None => Vec::new(),
    };
    if persona.knowledge_base_id.is_some()
        && sources.is_empty()
        && policy.on_low_confidence
        && !is_small_talk(question)
    {
        return Ok(handoff(&policy, Handoff::NoKnowledge));
    }

    let history = history
        .iter()
        .rev()
        .take(HISTORY_TURNS)
        .rev()
        .map(|t| ChatMessage {
            role: match t.role {
                ChatRole::User => Role::User,
                ChatRole::Assistant => Role::Assistant,
            },
            text: t.text.trim().to_owned(),
        })
        .collect();
    let system = system_prompt(persona, &sources);
    ask_model(ai, persona, system, history, sources).await
}

/// What agent assist asks of a persona.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assist {
    /// Draft the next message to the customer, grounded in the knowledge base.
    SuggestReply,
    /// A few lines for a teammate picking the conversation up.
    Summarize,
}

/// Agent assist: the persona drafts a reply (from its knowledge, like its own answers) or
/// summarises the conversation. The transcript goes as one user message ("Customer: … / Us: …";
/// the task is in the system prompt),
/// so it works whoever spoke last and on every provider; no handoff rules apply (a person asked).
///
/// # Errors
/// `provider_error` (502) with the reason; 409 when the persona's key cannot be opened.
pub async fn assist(
    ai: &AiContext,
    tenant: Tenant,
    persona: &persona_rows::Model,
    transcript: &[ChatTurn],
    task: Assist,
) -> AppResult<Answer> {
    let rendered = transcript
        .iter()
        .map(|turn| match turn.role {
            ChatRole::User => format!("Customer: {}", turn.text.trim()),
            ChatRole::Assistant => format!("Us: {}", turn.text.trim()),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let (sources, system, ask) = match task {
        Assist::SuggestReply => {
            let question = transcript
                .iter()
                .rev()
                .find(|t| t.role == ChatRole::User)
                .map(|t| t.text.trim().to_owned())
                .unwrap_or_default();
            let sources = match (persona.knowledge_base_id, question.is_empty()) {
                (Some(base_id), false) => {
                    knowledge::retrieve(ai, tenant, base_id, &question, DEFAULT_SOURCES)
                        .await?
                        .into_iter()
                        .filter(|s| s.score >= MIN_SCORE)
                        .collect()
                }
                _ => Vec::new(),
            };
            let system = format!(
                "{}\nYou are drafting the next message a person of the company's team will send \
                 to the customer. The user message is the conversation so far, one line per \
                 message (\"Customer:\" or \"Us:\"); they will read and edit your draft first. \
                 Write only the message.",
                system_prompt(persona, &sources)
            );
            (sources, system, rendered)
        }
        Assist::Summarize => (
            Vec::new(),
            format!(
                "Summarise a customer conversation for a teammate who is taking it over, in the \
                 language tagged {}: what the customer wants, what we already said or did, and \
                 what is still pending. At most five short lines. The user message is the \
                 conversation, one line per message (\"Customer:\" or \"Us:\").",
                persona.language
            ),
            rendered,
        ),
    };
    let history = vec![ChatMessage { role: Role::User, text: ask }];
    ask_model(ai, persona, system, history, sources).await
}

/// One call to the persona's model with its temperature and answer length; a provider failure
/// becomes `provider_error` with a reason people understand.
async fn ask_model(
    ai: &AiContext,
    persona: &persona_rows::Model,
    system: String,
    history: Vec<ChatMessage>,
    sources: Vec<KnowledgeSource>,
) -> AppResult<Answer> {
    let settings = personas::provider_settings(ai, persona)?;
    let request = ChatRequest {
        model: persona.model.clone(),
        system,
        history,
        temperature: Some(persona.temperature as f32),
        max_tokens: Some(persona.max_tokens.max(1) as u32),
    };
    let reply = provider::chat(&settings, &request).await.map_err(|err| {
        AppError::new(
            ErrorCode::ProviderError,
            format!("The AI could not answer: {}", err.reason()),
        )
    })?;
    Ok(Answer {
        reply: reply.text.trim().to_owned(),
        sources,
        truncated: reply.truncated,
        handoff: None,
    })
}

fn handoff(policy: &HandoffPolicy, why: Handoff) -> Answer {
    Answer {
        reply: policy.message.clone(),
        sources: Vec::new(),
        truncated: false,
        handoff: Some(why),
    }
}

/// The persona's instructions, then the passages it may answer from, numbered.
fn system_prompt(persona: &persona_rows::Model, sources: &[KnowledgeSource]) -> String {
    let mut prompt = String::new();
    if !persona.system_prompt.trim().is_empty() {
        prompt.push_str(persona.system_prompt.trim());
        prompt.push_str("\n\n");
    }
    prompt.push_str(&format!(
        "You are {name}, answering a company's customers on WhatsApp. Answer in the language \
         tagged {language}, briefly, as in a chat.",
        name = persona.name,
        language = persona.language,
    ));
    if let Some(tone) = &persona.tone {
        prompt.push_str(&format!(" Tone: {tone}."));
    }
    if persona.knowledge_base_id.is_some() {
        prompt.push_str(
            "\nAnswer only from the company knowledge below. If it does not answer the \
             question, say you will check with the team; never invent prices, dates or policies.\
             \n\nCompany knowledge:\n",
        );
        for (i, source) in sources.iter().enumerate() {
            let text = source.text.replace('\n', " ");
            prompt.push_str(&format!("[{}] ({}) {}\n", i + 1, source.document_title, text));
        }
    }
    prompt
}

/// A greeting or a thank-you ("Oi", "bom dia", "obrigada!"): up to two words and no question.
/// The knowledge has nothing about it, and handing such a message to people would be silly; the
/// model answers it.
pub fn is_small_talk(message: &str) -> bool {
    !message.contains('?') && message.split_whitespace().count() <= 2
}

/// The handoff keyword the message contains, comparing without case or accents and on word
/// boundaries ("humano" matches "quero um HUMANO!", not "humanos" — and not "desumano").
pub fn asks_for_person(message: &str, keywords: &[String]) -> Option<String> {
    let words: Vec<String> = fold(message)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    keywords.iter().find_map(|keyword| {
        let wanted: Vec<String> = fold(keyword)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        (!wanted.is_empty()
            && words.windows(wanted.len()).any(|window| window == wanted.as_slice()))
        .then(|| keyword.clone())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keywords() -> Vec<String> {
        shared::ai::default_handoff_keywords()
    }

    #[test]
    fn a_request_for_a_person_is_recognised_without_case_or_accents() {
        assert_eq!(
            asks_for_person("Quero falar com um HUMANO!", &keywords()).as_deref(),
            Some("humano")
        );
        assert_eq!(
            asks_for_person("me passa pra um atendente", &keywords()).as_deref(),
            Some("atendente")
        );
        let phrase = vec!["falar com alguém".to_owned()];
        assert!(asks_for_person("posso falar com alguem?", &phrase).is_some());
        assert!(asks_for_person("isso é desumano", &keywords()).is_none(), "whole words only");
        assert!(asks_for_person("qual o prazo de entrega?", &keywords()).is_none());
    }

    #[test]
    fn greetings_are_small_talk_and_questions_are_not() {
        assert!(is_small_talk("Oi"));
        assert!(is_small_talk("bom dia!"));
        assert!(!is_small_talk("tudo bem?"));
        assert!(!is_small_talk("quero saber do meu pedido"));
    }

    #[test]
    fn histories_are_checked() {
        let user = |text: &str| ChatTurn { role: ChatRole::User, text: text.into() };
        let bot = |text: &str| ChatTurn { role: ChatRole::Assistant, text: text.into() };
        assert!(check_history(&[]).is_err());
        assert!(check_history(&[user("oi"), bot("olá")]).is_err(), "ends with the customer");
        assert!(check_history(&[user(" ")]).is_err());
        assert!(check_history(&[user("oi"), bot("olá"), user("prazo?")]).is_ok());
    }
}
