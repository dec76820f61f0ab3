//! Small text rules shared by the server and the browser.

/// A lower-case letter without the accent Portuguese and Spanish put on it (`ã` → `a`,
/// `ç` → `c`); any other character as it is. Callers lower-case first.
pub fn without_accent(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ã' | 'ä' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        other => other,
    }
}

/// Lower case without accents: `Atendente, POR FAVOR` → `atendente, por favor`.
pub fn fold(text: &str) -> String {
    text.to_lowercase().chars().map(without_accent).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_case_go_away() {
        assert_eq!(fold("Observações AÇÃO Niño"), "observacoes acao nino");
        assert_eq!(without_accent('x'), 'x');
    }
}
