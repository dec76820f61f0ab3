//! How a CSV header is read by the contact import. The server applies it; the import wizard
//! shows the same guess in its preview, so what the person sees is what will happen.

/// What one CSV column feeds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ColumnTarget {
    Phone,
    Name,
    Email,
    Tags,
    Notes,
    OptedOut,
    /// `attributes[key]`, typed when a custom field has that key.
    Attribute(String),
    Skip,
}

/// Column names of the contact itself; no attribute may take them.
pub const BUILT_IN: [&str; 9] =
    ["id", "phone", "name", "email", "tags", "notes", "opted_out", "created_at", "updated_at"];

/// An attribute key: `snake_case`, 1–64 characters, starting with a letter.
pub fn is_attribute_key(key: &str) -> bool {
    key.len() <= 64
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl ColumnTarget {
    /// What a header means when nobody said: English and Portuguese names of the built-in
    /// columns, anything else an attribute named after it (`Data de nascimento` →
    /// `data_de_nascimento`).
    pub fn guess(header: &str) -> ColumnTarget {
        let plain = fold(header);
        match plain.as_str() {
            "phone" | "phone_number" | "mobile" | "cell" | "telefone" | "celular" | "whatsapp"
            | "fone" | "tel" | "numero" | "number" | "msisdn" => ColumnTarget::Phone,
            "name" | "full_name" | "nome" | "nome_completo" | "contact" | "contato" => {
                ColumnTarget::Name
            }
            "email" | "e_mail" | "mail" => ColumnTarget::Email,
            "tags" | "tag" | "labels" | "etiquetas" | "marcadores" => ColumnTarget::Tags,
            "notes" | "note" | "notas" | "observacoes" | "obs" => ColumnTarget::Notes,
            "opted_out" | "opt_out" | "optout" | "unsubscribed" | "descadastrado" => {
                ColumnTarget::OptedOut
            }
            // What our own export writes and an import has no use for.
            "" | "created_at" | "updated_at" | "id" => ColumnTarget::Skip,
            _ if plain.starts_with(|c: char| c.is_ascii_lowercase()) => {
                ColumnTarget::Attribute(plain)
            }
            _ => ColumnTarget::Attribute(format!("f_{plain}")),
        }
    }

    /// A target as named in the import's `mapping` parameter: a built-in column, an attribute
    /// key, or `""` to skip the column.
    ///
    /// # Errors
    /// A sentence when the name is neither.
    pub fn named(raw: &str) -> Result<ColumnTarget, String> {
        Ok(match raw.trim() {
            "" | "skip" | "ignore" => ColumnTarget::Skip,
            "phone" => ColumnTarget::Phone,
            "name" => ColumnTarget::Name,
            "email" => ColumnTarget::Email,
            "tags" => ColumnTarget::Tags,
            "notes" => ColumnTarget::Notes,
            "opted_out" => ColumnTarget::OptedOut,
            key if is_attribute_key(key) && !BUILT_IN.contains(&key) => {
                ColumnTarget::Attribute(key.to_owned())
            }
            other => return Err(format!("{other:?} is not a column or a field name.")),
        })
    }

    /// The inverse of [`ColumnTarget::named`].
    pub fn name(&self) -> &str {
        match self {
            ColumnTarget::Phone => "phone",
            ColumnTarget::Name => "name",
            ColumnTarget::Email => "email",
            ColumnTarget::Tags => "tags",
            ColumnTarget::Notes => "notes",
            ColumnTarget::OptedOut => "opted_out",
            ColumnTarget::Attribute(key) => key,
            ColumnTarget::Skip => "",
        }
    }
}

/// Lower-case ASCII `snake_case` without accents: `Observações` → `observacoes`.
pub fn fold(header: &str) -> String {
    let mut out = String::new();
    for c in crate::text::fold(header.trim()).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.truncate(60);
    out.trim_end_matches('_').to_owned()
}

/// Guesses the separator from the header line: `;` (Brazilian Excel), tab or `,`.
pub fn sniff_delimiter(header: &[u8]) -> u8 {
    let mut in_quotes = false;
    let mut counts = [0usize; 3];
    for &byte in header {
        match byte {
            b'"' => in_quotes = !in_quotes,
            b',' if !in_quotes => counts[0] += 1,
            b';' if !in_quotes => counts[1] += 1,
            b'\t' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], usize::from(i == 0))).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
}

/// The first lines of a file split into cells, for a preview (quotes and `""` understood; a
/// quoted cell may span lines). Not the importer's parser: the server reads the real file.
pub fn preview_rows(text: &str, delimiter: char, max_rows: usize) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if in_quotes && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => in_quotes = !in_quotes,
            c if c == delimiter && !in_quotes => row.push(std::mem::take(&mut cell)),
            '\r' if !in_quotes => {}
            '\n' if !in_quotes => {
                row.push(std::mem::take(&mut cell));
                if row.iter().any(|c| !c.trim().is_empty()) {
                    rows.push(std::mem::take(&mut row));
                    if rows.len() == max_rows {
                        return rows;
                    }
                } else {
                    row.clear();
                }
            }
            c => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_english_and_portuguese_are_recognised() {
        assert_eq!(ColumnTarget::guess("Telefone"), ColumnTarget::Phone);
        assert_eq!(ColumnTarget::guess(" WhatsApp "), ColumnTarget::Phone);
        assert_eq!(ColumnTarget::guess("Nome"), ColumnTarget::Name);
        assert_eq!(ColumnTarget::guess("E-mail"), ColumnTarget::Email);
        assert_eq!(ColumnTarget::guess("Observações"), ColumnTarget::Notes);
        assert_eq!(
            ColumnTarget::guess("Data de Nascimento"),
            ColumnTarget::Attribute("data_de_nascimento".into())
        );
        assert_eq!(
            ColumnTarget::guess("2º contato"),
            ColumnTarget::Attribute("f_2_contato".into())
        );
        assert_eq!(ColumnTarget::guess("created_at"), ColumnTarget::Skip);
        for target in
            [ColumnTarget::Phone, ColumnTarget::Attribute("plan".into()), ColumnTarget::Skip]
        {
            assert_eq!(ColumnTarget::named(target.name()), Ok(target));
        }
        assert!(ColumnTarget::named("Not A Key").is_err());
    }

    #[test]
    fn separators_are_sniffed_from_the_header() {
        assert_eq!(sniff_delimiter(b"phone,name,email\n"), b',');
        assert_eq!(sniff_delimiter(b"telefone;nome;\"a,b\"\n"), b';');
        assert_eq!(sniff_delimiter(b"phone\tname\n"), b'\t');
        assert_eq!(sniff_delimiter(b"phone\n"), b',');
    }

    #[test]
    fn previews_split_quoted_cells_and_skip_blank_lines() {
        let rows =
            preview_rows("\u{feff}a;b\r\n\r\n\"x;1\";\"say \"\"hi\"\"\nthere\"\n3;4", ';', 10);
        assert_eq!(rows, [vec!["a", "b"], vec!["x;1", "say \"hi\"\nthere"], vec!["3", "4"]]);
        assert_eq!(preview_rows("a\nb\nc\n", ',', 2).len(), 2);
    }
}
