//! Bounded free text (names, categories): trimmed, never empty, at most a number of
//! characters (not bytes, so Korean names count as people read them).

/// Why a text was refused; shown to the client next to the field name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Nothing but whitespace.
    #[error("must not be empty")]
    Empty,
    /// Longer than the limit, in characters.
    #[error("must be at most {0} characters")]
    TooLong(usize),
}

/// `text` trimmed, if it holds 1 to `max` characters.
///
/// # Errors
/// [`TextError::Empty`] or [`TextError::TooLong`].
pub fn bounded(text: &str, max: usize) -> Result<String, TextError> {
    let text = text.trim();
    match text.chars().count() {
        0 => Err(TextError::Empty),
        n if n > max => Err(TextError::TooLong(max)),
        _ => Ok(text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded_in_characters() {
        assert_eq!(bounded("  Kim  ", 10).unwrap(), "Kim");
        assert_eq!(bounded("   ", 10), Err(TextError::Empty));
        assert!(bounded(&"가".repeat(10), 10).is_ok());
        assert_eq!(bounded(&"가".repeat(11), 10), Err(TextError::TooLong(10)));
        assert_eq!(TextError::TooLong(50).to_string(), "must be at most 50 characters");
    }
}
