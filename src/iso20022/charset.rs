//! TEMPORARY stand-in; replaced by the charset branch (EPC transliteration).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    Lenient,
    Strict,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CharsetError {
    #[error("character {found:?} at position {position} has no SEPA equivalent")]
    Unmappable { found: char, position: usize },
    #[error("text is empty after conversion to the SEPA character set")]
    Empty,
}

pub fn is_sepa_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "/-?:().,'+ ".contains(c)
}

pub fn to_sepa(text: &str, strictness: Strictness) -> Result<String, CharsetError> {
    let mut out = String::new();
    for (position, c) in text.chars().enumerate() {
        if is_sepa_char(c) {
            out.push(c);
        } else if strictness == Strictness::Strict {
            return Err(CharsetError::Unmappable { found: c, position });
        } else {
            out.push('.');
        }
    }
    if out.trim_matches(|c| c == '.' || c == ' ').is_empty() {
        return Err(CharsetError::Empty);
    }
    Ok(out)
}

pub fn to_sepa_identifier(text: &str) -> Result<String, CharsetError> {
    to_sepa(text, Strictness::Strict)
}
