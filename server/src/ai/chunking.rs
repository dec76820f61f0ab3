//! Splitting documents into passages that are embedded and retrieved one by one.
//!
//! A passage should answer one question on its own: paragraphs are kept whole and gathered up
//! to [`TARGET_CHARS`], a paragraph longer than [`MAX_CHARS`] is cut at sentence ends (at worst
//! at a word), and every passage of a Markdown document starts with the headings it sits under
//! ("Entregas › Prazos"), so "how long does delivery take?" finds the passage about delivery
//! even when the paragraph itself never says the word. FAQ entries are one passage each.

use shared::ai::FaqEntry;

/// Passages grow up to about this many characters.
pub const TARGET_CHARS: usize = 900;
/// No passage is longer than this (plus its heading line).
pub const MAX_CHARS: usize = 1_500;

/// The passages of a text or Markdown document, in order. Empty text gives none.
pub fn chunk_text(text: &str, markdown: bool) -> Vec<String> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut chunks = Vec::new();
    let mut headings: Vec<(usize, String)> = Vec::new();
    let mut current = String::new();
    let mut current_heading = String::new();

    let flush = |current: &mut String, heading: &str, chunks: &mut Vec<String>| {
        let body = current.trim();
        if !body.is_empty() {
            chunks.push(if heading.is_empty() {
                body.to_owned()
            } else {
                format!("{heading}\n{body}")
            });
        }
        current.clear();
    };

    for block in blocks(&text, markdown) {
        if let Block::Heading(level, title) = &block {
            flush(&mut current, &current_heading, &mut chunks);
            headings.retain(|(l, _)| l < level);
            headings.push((*level, title.clone()));
            current_heading =
                headings.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join(" › ");
            continue;
        }
        let Block::Paragraph(paragraph) = block else { continue };
        for piece in split_long(&paragraph) {
            if !current.is_empty() && current.len() + piece.len() + 2 > TARGET_CHARS {
                flush(&mut current, &current_heading, &mut chunks);
            }
            if !current.is_empty() {
                current.push_str("\n\n");
            }
            current.push_str(&piece);
        }
    }
    flush(&mut current, &current_heading, &mut chunks);
    chunks
}

/// One passage per question, question first (customers ask in the question's words).
pub fn chunk_faq(entries: &[FaqEntry]) -> Vec<String> {
    entries
        .iter()
        .filter(|e| !e.question.trim().is_empty() || !e.answer.trim().is_empty())
        .map(|e| format!("{}\n{}", e.question.trim(), e.answer.trim()))
        .collect()
}

enum Block {
    Heading(usize, String),
    Paragraph(String),
}

/// Paragraphs (separated by blank lines) and, in Markdown, `#` headings on lines of their own.
fn blocks(text: &str, markdown: bool) -> Vec<Block> {
    let mut out = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let end_paragraph = |paragraph: &mut Vec<&str>, out: &mut Vec<Block>| {
        let joined = paragraph.join("\n");
        let joined = joined.trim();
        if !joined.is_empty() {
            out.push(Block::Paragraph(joined.to_owned()));
        }
        paragraph.clear();
    };
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            end_paragraph(&mut paragraph, &mut out);
            continue;
        }
        if markdown {
            let level = trimmed.chars().take_while(|c| *c == '#').count();
            if (1..=6).contains(&level) && trimmed[level..].starts_with(' ') {
                end_paragraph(&mut paragraph, &mut out);
                let title = trimmed[level..].trim().trim_end_matches('#').trim();
                if !title.is_empty() {
                    out.push(Block::Heading(level, title.to_owned()));
                }
                continue;
            }
        }
        paragraph.push(line);
    }
    end_paragraph(&mut paragraph, &mut out);
    out
}

/// A paragraph cut into pieces of at most [`MAX_CHARS`]: at sentence ends when it can, else at
/// a space, else anywhere (on a character boundary).
fn split_long(paragraph: &str) -> Vec<String> {
    if paragraph.len() <= MAX_CHARS {
        return vec![paragraph.to_owned()];
    }
    let mut pieces = Vec::new();
    let mut piece = String::new();
    for sentence in sentences(paragraph) {
        if !piece.is_empty() && piece.len() + sentence.len() > MAX_CHARS {
            pieces.push(std::mem::take(&mut piece));
        }
        if sentence.len() > MAX_CHARS {
            pieces.extend(hard_split(sentence));
            continue;
        }
        piece.push_str(sentence);
    }
    if !piece.trim().is_empty() {
        pieces.push(piece);
    }
    pieces.into_iter().map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect()
}

/// Sentences with their trailing punctuation and space.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        let ends = matches!(c, '.' | '!' | '?' | '\n')
            && bytes.get(i + 1).is_none_or(|next| next.is_ascii_whitespace());
        if ends {
            let end = (i + c.len_utf8() + 1).min(text.len());
            out.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

fn hard_split(text: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while rest.len() > MAX_CHARS {
        let mut cut = MAX_CHARS;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        if let Some(space) = rest[..cut].rfind(' ').filter(|at| *at > MAX_CHARS / 2) {
            cut = space + 1;
        }
        pieces.push(rest[..cut].to_owned());
        rest = &rest[cut..];
    }
    pieces.push(rest.to_owned());
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_are_kept_whole_and_gathered_up_to_the_target() {
        let text = "Primeiro parágrafo.\n\nSegundo parágrafo.\n\n\nTerceiro.";
        assert_eq!(
            chunk_text(text, false),
            vec!["Primeiro parágrafo.\n\nSegundo parágrafo.\n\nTerceiro.".to_owned()]
        );
        let long_paragraph = "palavra ".repeat(80); // 640 characters
        let text = format!("{long_paragraph}\n\n{long_paragraph}");
        let chunks = chunk_text(&text, false);
        assert_eq!(chunks.len(), 2, "two 640-character paragraphs do not fit in one passage");
        assert!(chunks.iter().all(|c| c.len() <= TARGET_CHARS));
    }

    #[test]
    fn markdown_passages_carry_their_headings() {
        let text = "# Entregas\n\nIntro.\n\n## Prazos\n\nChega em 3 dias úteis.\n\n# Trocas\n\nAté 7 dias.";
        assert_eq!(
            chunk_text(text, true),
            vec![
                "Entregas\nIntro.".to_owned(),
                "Entregas › Prazos\nChega em 3 dias úteis.".to_owned(),
                "Trocas\nAté 7 dias.".to_owned(),
            ]
        );
        // Plain text keeps `#` lines as text.
        assert_eq!(chunk_text("# not a heading", false), vec!["# not a heading".to_owned()]);
    }

    #[test]
    fn long_paragraphs_are_cut_at_sentences_and_nothing_is_lost() {
        let sentence = "Esta frase tem exatamente algumas palavras para encher o texto. ";
        let paragraph = sentence.repeat(60);
        let chunks = chunk_text(&paragraph, false);
        assert!(chunks.len() >= 3, "{}", chunks.len());
        for chunk in &chunks {
            assert!(chunk.len() <= MAX_CHARS, "{}", chunk.len());
            assert!(chunk.ends_with('.'), "cut at a sentence end: {chunk:?}");
        }
        let words = |s: &str| s.split_whitespace().count();
        assert_eq!(chunks.iter().map(|c| words(c)).sum::<usize>(), words(&paragraph));
    }

    #[test]
    fn a_sentence_without_ends_is_cut_on_character_boundaries() {
        let text = "ã".repeat(2_000); // 4,000 bytes, no spaces
        let chunks = chunk_text(&text, false);
        assert!(chunks.len() >= 3);
        assert!(chunks.iter().all(|c| c.len() <= MAX_CHARS));
        assert_eq!(chunks.concat(), text);
    }

    #[test]
    fn empty_text_has_no_passages_and_faq_entries_are_one_each() {
        assert!(chunk_text(" \n\n \r\n", true).is_empty());
        let entries = vec![
            FaqEntry { question: "Qual o prazo?".into(), answer: "3 dias.".into() },
            FaqEntry { question: " ".into(), answer: "".into() },
            FaqEntry { question: "Aceitam Pix?".into(), answer: "Sim.".into() },
        ];
        assert_eq!(
            chunk_faq(&entries),
            vec!["Qual o prazo?\n3 dias.".to_owned(), "Aceitam Pix?\nSim.".to_owned()]
        );
    }
}
