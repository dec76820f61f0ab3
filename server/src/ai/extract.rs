//! The text of an uploaded document: plain text, Markdown, or PDF (read in pure Rust by
//! `pdf-extract`; scanned pages without a text layer have nothing to read).

use shared::{ai::DocumentKind, ErrorCode};

use crate::error::{AppError, AppResult};

/// Largest upload accepted for a knowledge base document.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// What kind of document a file is, by its name first and then by its declared type.
///
/// # Errors
/// 415 `unsupported_media_type` for anything but text, Markdown and PDF.
pub fn kind_of(filename: &str, content_type: Option<&str>) -> AppResult<DocumentKind> {
    let extension =
        filename.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    let by_name = match extension.as_str() {
        "md" | "markdown" => Some(DocumentKind::Markdown),
        "txt" | "text" => Some(DocumentKind::Text),
        "pdf" => Some(DocumentKind::Pdf),
        _ => None,
    };
    let essence = content_type
        .and_then(|t| t.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let by_type = match essence.as_str() {
        "text/markdown" | "text/x-markdown" => Some(DocumentKind::Markdown),
        "text/plain" => Some(DocumentKind::Text),
        "application/pdf" => Some(DocumentKind::Pdf),
        _ => None,
    };
    by_name.or(by_type).ok_or_else(|| {
        AppError::new(
            ErrorCode::UnsupportedMediaType,
            "Upload a text (.txt), Markdown (.md) or PDF (.pdf) file.",
        )
    })
}

/// The document's text.
///
/// # Errors
/// 400 `validation_failed` when there is no text to index (an empty file, a PDF of scanned
/// images, a damaged PDF).
pub async fn extract_text(kind: DocumentKind, bytes: Vec<u8>) -> AppResult<String> {
    let text = match kind {
        DocumentKind::Pdf => pdf_text(bytes).await?,
        _ => decode_text(&bytes),
    };
    let text = tidy(&text);
    if text.trim().is_empty() {
        return Err(AppError::field(
            "file",
            match kind {
                DocumentKind::Pdf => "This PDF has no text to read (scanned pages need OCR first).",
                _ => "The file is empty.",
            },
        ));
    }
    Ok(text)
}

/// UTF-8 (with or without a byte-order mark); anything else is read as Windows Latin-1, which
/// is what Brazilian Windows editors write when they do not write UTF-8.
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

async fn pdf_text(bytes: Vec<u8>) -> AppResult<String> {
    // Parsing runs on the blocking pool (it is CPU work) and a damaged file must not take the
    // worker down: pdf-extract can panic on malformed input.
    let parsed = tokio::task::spawn_blocking(move || {
        std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(&bytes))
    })
    .await
    .map_err(AppError::internal)?;
    match parsed {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(err)) => {
            tracing::info!(error = %err, "unreadable PDF upload");
            Err(AppError::field("file", "This PDF cannot be read; is it damaged or encrypted?"))
        }
        Err(_) => Err(AppError::field("file", "This PDF cannot be read; is it damaged?")),
    }
}

/// Line ends made `\n`, trailing spaces and runs of blank lines removed.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_lines = 0;
    for line in text.replace("\r\n", "\n").replace('\r', "\n").lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank_lines += 1;
            if blank_lines == 1 && !out.is_empty() {
                out.push('\n');
            }
            continue;
        }
        blank_lines = 0;
        out.push_str(line);
        out.push('\n');
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_name_then_the_type() {
        assert_eq!(kind_of("faq.MD", None).unwrap(), DocumentKind::Markdown);
        assert_eq!(
            kind_of("manual.pdf", Some("application/octet-stream")).unwrap(),
            DocumentKind::Pdf
        );
        assert_eq!(
            kind_of("notes", Some("text/plain; charset=utf-8")).unwrap(),
            DocumentKind::Text
        );
        let err = kind_of("photo.jpg", Some("image/jpeg")).unwrap_err();
        assert_eq!(err.code(), ErrorCode::UnsupportedMediaType);
    }

    #[test]
    fn text_is_decoded_and_tidied() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFol\xC3\xA1"), "olá");
        assert_eq!(decode_text(b"ol\xE1"), "olá", "Latin-1 when not UTF-8");
        assert_eq!(tidy("a  \r\n\r\n\r\n\r\nb\n\n"), "a\n\nb");
    }

    #[tokio::test]
    async fn empty_and_damaged_files_are_refused_with_a_reason() {
        let err = extract_text(DocumentKind::Text, b"  \n \n".to_vec()).await.unwrap_err();
        assert_eq!(err.client_message(), Some("The file is empty."));
        let err = extract_text(DocumentKind::Pdf, b"%PDF-1.4 garbage".to_vec()).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::ValidationFailed);
    }
}
