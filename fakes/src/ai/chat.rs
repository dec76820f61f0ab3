//! What the AI fakes answer: scripted replies first, else a deterministic default that is
//! useful for retrieval-augmented tests (it quotes the context passage that best matches the
//! question).

use serde::{Deserialize, Serialize};

use super::embed::{content_words, count_tokens};

/// Who said a turn, in provider-neutral terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// OpenAI `system`/`developer`, Gemini `systemInstruction`.
    System,
    /// OpenAI `user`, Gemini `user`.
    User,
    /// OpenAI `assistant`, Gemini `model`.
    Assistant,
    /// Tool/function results.
    Tool,
}

/// One message of a conversation, reduced to its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Turn {
    /// Who said it.
    pub role: Role,
    /// Its text parts, joined with newlines.
    pub text: String,
}

impl Turn {
    /// A turn.
    pub fn new(role: Role, text: impl Into<String>) -> Self {
        Self { role, text: text.into() }
    }
}

/// "When the last user message contains `when_contains` (case-insensitive), answer `reply`."
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptRule {
    /// Substring looked for in the last user message, case-insensitively (`""` matches all).
    pub when_contains: String,
    /// The reply text.
    pub reply: String,
}

impl ScriptRule {
    /// A rule.
    pub fn new(when_contains: impl Into<String>, reply: impl Into<String>) -> Self {
        Self { when_contains: when_contains.into(), reply: reply.into() }
    }
}

/// Why the reply ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Finish {
    /// The whole reply was produced.
    Stop,
    /// Cut at the caller's output-token cap.
    Length,
}

/// A reply with its token accounting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// The reply text (after truncation).
    pub text: String,
    /// Why it ended.
    pub finish: Finish,
    /// Tokens of every turn's text.
    pub prompt_tokens: usize,
    /// Tokens of `text`.
    pub completion_tokens: usize,
}

/// The text of the last user turn (`""` when there is none).
pub fn last_user(turns: &[Turn]) -> &str {
    turns.iter().rev().find(|t| t.role == Role::User).map_or("", |t| t.text.as_str())
}

/// The reply to `turns`: the most recently added rule of `script` whose `when_contains` is in the
/// last user message (case-insensitive), else [`default_reply`]; cut to `max_tokens`
/// whitespace-separated words (finish [`Finish::Length`]) when longer.
pub fn answer(script: &[ScriptRule], turns: &[Turn], max_tokens: Option<usize>) -> Answer {
    let question = last_user(turns).to_lowercase();
    let full = script
        .iter()
        .rev()
        .find(|r| question.contains(&r.when_contains.to_lowercase()))
        .map_or_else(|| default_reply(turns), |r| r.reply.clone());
    let words: Vec<&str> = full.split_whitespace().collect();
    let (text, finish) = match max_tokens {
        Some(max) if words.len() > max => (words[..max].join(" "), Finish::Length),
        _ => (full, Finish::Stop),
    };
    Answer {
        prompt_tokens: turns.iter().map(|t| count_tokens(&t.text)).sum(),
        completion_tokens: count_tokens(&text),
        text,
        finish,
    }
}

/// The answer when no script rule matches:
/// - the *question* is the last line of the last user message, without a leading one-word
///   label such as `Pergunta:`;
/// - the *passages* are the lines of every system turn plus the earlier lines of the last user
///   message, without list markers (`- `, `* `, `1. `, `[1] `), skipping header lines that end
///   with `:`;
/// - the passage sharing most distinct [content words](content_words) with the question wins
///   (the first one on ties) and the reply is `Segundo a base: <its first sentence>`;
/// - with no passage sharing a word: `Fake answer to: <last user message>`.
pub fn default_reply(turns: &[Turn]) -> String {
    let last = last_user(turns);
    let mut lines: Vec<&str> = last.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let question = strip_label(lines.pop().unwrap_or(""));
    let mut passages: Vec<&str> =
        turns.iter().filter(|t| t.role == Role::System).flat_map(|t| t.text.lines()).collect();
    passages.extend(lines);
    let asked = content_words(question);
    let mut best: Option<(usize, &str)> = None;
    for passage in passages.into_iter().map(strip_marker) {
        if passage.is_empty() || passage.ends_with(':') {
            continue;
        }
        let mut words = content_words(passage);
        words.sort();
        words.dedup();
        let shared = words.iter().filter(|w| asked.contains(w)).count();
        if shared > 0 && best.is_none_or(|(s, _)| shared > s) {
            best = Some((shared, passage));
        }
    }
    match best {
        Some((_, passage)) => format!("Segundo a base: {}", first_sentence(passage)),
        None => format!("Fake answer to: {last}"),
    }
}

/// Splits `text` into stream pieces: each word with the whitespace before it, so the pieces
/// concatenate back to `text` exactly.
pub fn stream_pieces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() && in_word {
            out.push(&text[start..i]);
            start = i;
            in_word = false;
        } else if !c.is_whitespace() {
            in_word = true;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// `Pergunta: como ...` → `como ...` (one word, then a colon, within the first 20 bytes).
fn strip_label(line: &str) -> &str {
    match line.split_once(':') {
        Some((label, rest))
            if label.len() <= 20 && !label.trim().contains(' ') && !rest.trim().is_empty() =>
        {
            rest.trim()
        }
        _ => line,
    }
}

/// Drops a leading list marker: `- `, `* `, `• `, `> `, `1. `, `2) `, `[3] `.
fn strip_marker(line: &str) -> &str {
    let line = line.trim();
    for marker in ["- ", "* ", "• ", "> "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return rest.trim();
        }
    }
    if let Some(rest) = line.strip_prefix('[') {
        if let Some((n, after)) = rest.split_once(']') {
            if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) {
                return after.trim();
            }
        }
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 {
        let rest = &line[digits..];
        if let Some(after) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return after.trim();
        }
    }
    line
}

/// Up to and including the first `.`, `!` or `?` that ends the text or precedes whitespace.
fn first_sentence(text: &str) -> &str {
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if matches!(c, '.' | '!' | '?') && chars.peek().is_none_or(|(_, n)| n.is_whitespace()) {
            return &text[..i + c.len_utf8()];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_matching_passage_is_quoted() {
        let turns = [
            Turn::new(
                Role::System,
                "Você é o assistente da ACME. Responda usando o contexto.\nContexto:\n\
                 - O horário de atendimento é das 8h às 18h. Aos sábados até 12h.\n\
                 - Para cancelar o plano, acesse Configurações > Assinatura. Leva 2 dias.",
            ),
            Turn::new(Role::User, "Oi"),
            Turn::new(Role::Assistant, "Olá!"),
            Turn::new(Role::User, "Como faço para cancelar meu plano?"),
        ];
        assert_eq!(
            default_reply(&turns),
            "Segundo a base: Para cancelar o plano, acesse Configurações > Assinatura."
        );
    }

    #[test]
    fn context_in_the_user_message_counts_and_labels_are_ignored() {
        let turns = [Turn::new(
            Role::User,
            "Contexto:\n[1] Entregas levam 3 dias úteis.\n[2] Pagamentos via Pix.\n\n\
             Pergunta: quanto tempo levam as entregas?",
        )];
        assert_eq!(default_reply(&turns), "Segundo a base: Entregas levam 3 dias úteis.");
    }

    #[test]
    fn without_matching_context_it_echoes() {
        let turns = [Turn::new(Role::System, "Seja breve."), Turn::new(Role::User, "Olá!")];
        assert_eq!(default_reply(&turns), "Fake answer to: Olá!");
    }

    #[test]
    fn scripts_match_case_insensitively_latest_first_and_truncate() {
        let script = [ScriptRule::new("", "generic"), ScriptRule::new("PREÇO", "one two three")];
        let turns = [Turn::new(Role::User, "qual o preço?")];
        let a = answer(&script, &turns, None);
        assert_eq!((a.text.as_str(), a.finish), ("one two three", Finish::Stop));
        assert_eq!((a.prompt_tokens, a.completion_tokens), (3, 3));
        let a = answer(&script, &turns, Some(2));
        assert_eq!(
            (a.text.as_str(), a.finish, a.completion_tokens),
            ("one two", Finish::Length, 2)
        );
        let a = answer(&script, &[Turn::new(Role::User, "oi")], None);
        assert_eq!(a.text, "generic");
    }
}
