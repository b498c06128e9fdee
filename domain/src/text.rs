//! What text a person may type into Rekindle: names, titles and notes are shown to a partner,
//! a coach or an operator, so they must not carry characters that disguise or reorder what is
//! shown, or that drive a terminal.

/// Why a piece of text is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("holds a control character")]
    Control,
    #[error("holds a character that overrides the direction of text")]
    Bidi,
    #[error("holds only invisible characters")]
    Invisible,
}

/// A lowercase vowel without its accent, as many type it ("discusión" read as "discusion"); any
/// other character as it is (ñ stays; lowercase first). For matching words, never for what is
/// stored or shown.
pub fn unaccented(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        other => other,
    }
}

/// Explicit direction embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that render as nothing: zero-width spaces and joiners, the word joiner, the byte
/// order mark, the soft hyphen, direction marks, and the Hangul and Braille blanks.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FEFF}'
                | '\u{FFA0}'
        )
}

/// One line of text (a name, a title): no control characters at all, no direction overrides,
/// and something visible.
pub fn check_line(text: &str) -> Result<(), TextError> {
    check(text, |c| c.is_control())
}

/// Free text (a note): as [`check_line`], but line breaks and tabs are allowed.
pub fn check_multiline(text: &str) -> Result<(), TextError> {
    check(text, |c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

fn check(text: &str, refused_control: impl Fn(char) -> bool) -> Result<(), TextError> {
    if text.chars().any(refused_control) {
        return Err(TextError::Control);
    }
    if text.chars().any(is_bidi_control) {
        return Err(TextError::Bidi);
    }
    if !text.is_empty() && text.chars().all(is_invisible) {
        return Err(TextError::Invisible);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vowels_lose_their_accents_and_nothing_else_changes() {
        let read: String = "Discusión, pingüino, año, ÉL"
            .chars()
            .map(unaccented)
            .collect();
        assert_eq!(read, "Discusion, pinguino, año, ÉL");
    }

    #[test]
    fn ordinary_text_in_any_script_passes() {
        for ok in ["Ana", "José María", "أحمد", "李雷", "Zoë 🙂", "a\u{200D}b"] {
            assert_eq!(check_line(ok), Ok(()), "{ok}");
        }
        assert_eq!(check_multiline("line one\nline two\r\n\tindented"), Ok(()));
    }

    #[test]
    fn control_characters_are_refused_and_notes_keep_line_breaks() {
        assert_eq!(check_line("a\nb"), Err(TextError::Control));
        assert_eq!(check_line("a\u{1b}[31mred"), Err(TextError::Control));
        assert_eq!(check_multiline("a\u{1b}[2J"), Err(TextError::Control));
        assert_eq!(check_multiline("a\u{0}b"), Err(TextError::Control));
        assert_eq!(check_multiline("bell\u{7}"), Err(TextError::Control));
    }

    #[test]
    fn direction_overrides_are_refused() {
        assert_eq!(check_line("Ana\u{202E}gnp.exe"), Err(TextError::Bidi));
        assert_eq!(check_multiline("x\u{2067}y"), Err(TextError::Bidi));
    }

    #[test]
    fn text_of_only_invisible_characters_is_refused() {
        assert_eq!(check_line("\u{200B}\u{200B}"), Err(TextError::Invisible));
        assert_eq!(check_line("\u{FEFF} \u{2060}"), Err(TextError::Invisible));
        assert_eq!(check_line("\u{3164}"), Err(TextError::Invisible));
    }
}
