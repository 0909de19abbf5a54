//! Text snippets for messages and reports: bodies cut to a length, marked when cut.

/// At most `max` bytes of `body` as text, marked when cut.
pub fn snippet(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(body);
    truncate(&text, max)
}

/// `text` cut to at most `max` bytes (on a character boundary), marked when cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [{} more bytes]", &text[..end], text.len() - end)
}
