//! Deterministic text embeddings: a hashed bag of words (plus character trigrams), so texts
//! sharing words are close and unrelated texts are not, with no model and no randomness.
//!
//! The function, step by step (the crate README repeats it for test authors):
//! 1. [`tokens`]: lowercase, strip the accents of Latin letters (`ç`→`c`, `ã`→`a`, ...), split on
//!    every character that is not alphanumeric.
//! 2. Tokens in [`STOPWORDS`] (short Portuguese/English function words) are skipped.
//! 3. Each remaining word adds `1.0` to bucket `h % dims` of `h = fnv1a64("w:" + word)`, and each
//!    character trigram of `"^" + word + "$"` (words of 4+ characters) adds `0.5` to bucket
//!    `fnv1a64("t:" + trigram) % dims`; bit 32 of the hash set means the addition is negative
//!    (signed hashing keeps unrelated texts near cosine 0).
//! 4. The vector is L2-normalised. A text with no content words embeds as the unit vector on
//!    bucket `fnv1a64("") % dims`.

/// Default vector length of both AI fakes.
pub const DEFAULT_DIMS: usize = 256;

/// Function words that carry no topic (after [`tokens`] normalisation: lowercase, no accents).
/// They count as tokens for usage but add nothing to a vector and never make two texts
/// "share a word" for the default reply.
pub const STOPWORDS: &[&str] = &[
    // Portuguese
    "a", "o", "as", "os", "um", "uma", "uns", "umas", "de", "do", "da", "dos", "das", "e", "em",
    "no", "na", "nos", "nas", "por", "para", "pra", "com", "sem", "que", "se", "ao", "aos", "ou",
    "como", "mais", "meu", "minha", "seu", "sua", "eu", "voce", "ele", "ela", "isso", "esse",
    "essa", "este", "esta", "qual", "quais", "tem", "ser", "sao", "nao", "sim", "me", "te", "lhe",
    // English
    "the", "an", "of", "to", "in", "on", "for", "and", "or", "is", "are", "be", "it", "my", "your",
    "i", "you", "what", "how", "do", "does", "can", "with", "at", "this", "that", "by", "from",
    "as",
];

/// 64-bit FNV-1a: a stable hash (the same on every platform and run).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The accent-free form of a lowercase Latin letter (other characters unchanged).
fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
}

/// Words of `text`: lowercase, accents stripped, split on non-alphanumerics.
pub fn tokens(text: &str) -> Vec<String> {
    let folded: String = text.to_lowercase().chars().map(fold).collect();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// [`tokens`] without [`STOPWORDS`]: the words that say what a text is about.
pub fn content_words(text: &str) -> Vec<String> {
    tokens(text).into_iter().filter(|t| !STOPWORDS.contains(&t.as_str())).collect()
}

/// How many tokens the fakes bill for `text` (its [`tokens`], stopwords included).
pub fn count_tokens(text: &str) -> usize {
    tokens(text).len()
}

/// The deterministic embedding of `text` with `dims` components (see the module docs).
pub fn embed(text: &str, dims: usize) -> Vec<f32> {
    let dims = dims.max(1);
    let mut v = vec![0f32; dims];
    let mut add = |key: &str, weight: f32| {
        let h = fnv1a64(key.as_bytes());
        let bucket = usize::try_from(h % dims as u64).unwrap_or(0);
        let sign = if (h >> 32) & 1 == 0 { 1.0 } else { -1.0 };
        v[bucket] += sign * weight;
    };
    for word in content_words(text) {
        add(&format!("w:{word}"), 1.0);
        let chars: Vec<char> = std::iter::once('^').chain(word.chars()).chain(['$']).collect();
        if chars.len() >= 6 {
            for tri in chars.windows(3) {
                add(&format!("t:{}", tri.iter().collect::<String>()), 0.5);
            }
        }
    }
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm == 0.0 {
        let bucket = usize::try_from(fnv1a64(b"") % dims as u64).unwrap_or(0);
        v[bucket] = 1.0;
        return v;
    }
    v.iter_mut().for_each(|x| *x /= norm);
    v
}

/// Cosine similarity of two vectors (0 when either is all zeros).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na * nb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_fold_case_and_accents() {
        assert_eq!(tokens("Ação, É já!  Você-sabe"), ["acao", "e", "ja", "voce", "sabe"]);
    }

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn vectors_are_unit_length_and_deterministic() {
        let a = embed("Como cancelar meu plano?", 64);
        assert_eq!(a.len(), 64);
        assert!((a.iter().map(|x| x * x).sum::<f32>() - 1.0).abs() < 1e-5);
        assert_eq!(a, embed("como CANCELAR  meu plano", 64));
        let empty = embed("", 8);
        assert!((empty.iter().map(|x| x * x).sum::<f32>() - 1.0).abs() < 1e-5);
    }

    #[test]
    fn shared_words_are_closer_than_unrelated_text() {
        let q = embed("Como cancelar meu plano?", DEFAULT_DIMS);
        let related = embed("Para cancelar o plano, acesse Configurações > Assinatura.", 256);
        let unrelated = embed("O horário de atendimento é das 8h às 18h.", DEFAULT_DIMS);
        let (r, u) = (cosine(&q, &related), cosine(&q, &unrelated));
        assert!(r > 0.4, "related {r}");
        assert!(u.abs() < 0.2, "unrelated {u}");
    }
}
