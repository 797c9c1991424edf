//! Text that comes from outside: which characters are refused, NFC normalization, and
//! bounded free text (names, categories: trimmed, never empty, at most a number of
//! characters, not bytes, so Korean names count as people read them).
//!
//! # Refused characters
//!
//! No text we accept is meant to be laid out over several lines or to hide anything, so
//! every string of a JSON body ([`crate::http::parse_json`], values and object keys),
//! every query parameter read through [`crate::http::query_parameter`] and every
//! [`bounded`] text refuses a string holding any of these characters ([`refusal`]):
//!
//! | kind ([`Refusal`]) | characters |
//! | --- | --- |
//! | [`Refusal::Control`] | general category `Cc`: U+0000–U+001F (NUL, TAB, LF, CR, ESC, …), U+007F, U+0080–U+009F |
//! | [`Refusal::Bidi`] | the `Bidi_Control` property: U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069 |
//! | [`Refusal::Invisible`] | general category `Cf` (format: U+00AD soft hyphen, U+200B–U+200D zero-width space and joiners, U+2060–U+2064, U+FEFF, U+0600–U+0605, U+FFF9–U+FFFB, tags U+E0001 and U+E0020–U+E007F, …) and the `Default_Ignorable_Code_Point` property (Hangul fillers U+115F, U+1160, U+3164, U+FFA0, variation selectors U+FE00–U+FE0F and U+E0100–U+E01EF, U+034F combining grapheme joiner, U+180B–U+180F, …) |
//! | [`Refusal::Separator`] | U+2028 line separator and U+2029 paragraph separator (`Zl`, `Zp`) |
//! | [`Refusal::PrivateUse`] | general category `Co`: U+E000–U+F8FF, planes 15 and 16 |
//! | [`Refusal::Unassigned`] | general category `Cn`: characters not assigned in the Unicode version of the `icu_properties` data (ICU4X 2), noncharacters (U+FDD0–U+FDEF, U+xFFFE, U+xFFFF) included |
//!
//! Surrogates cannot occur (Rust strings and `serde_json` refuse them). Ordinary spaces
//! (U+0020, U+00A0, U+3000, …) are allowed; [`bounded`] trims them at both ends. A
//! consequence worth knowing: emoji sequences that need U+200D or U+FE0F (`👨‍👩‍👧`, `❤️`)
//! and flag tag sequences are refused; the single emoji (`❤`, `☕`) are fine.
//!
//! # Normalization
//!
//! Accepted text is put in Unicode Normalization Form C ([`nfc`]): `e` + U+0301 becomes
//! `é`, conjoining Korean jamo (`ᄀ` + `ᅡ`) become the syllable `가`. The checks run on
//! the normalized text, and [`bounded`] counts its characters after normalization.

use std::borrow::Cow;

use icu_normalizer::ComposingNormalizerBorrowed;
use icu_properties::props::{BidiControl, DefaultIgnorableCodePoint, GeneralCategory};
use icu_properties::{CodePointMapData, CodePointSetData};

/// Why one code point is refused in text from outside; see the module docs for the sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A control character (general category `Cc`), NUL, CR, LF and TAB included.
    Control,
    /// A bidirectional control (`Bidi_Control`), such as U+202E RIGHT-TO-LEFT OVERRIDE.
    Bidi,
    /// An invisible character: format (`Cf`) or `Default_Ignorable_Code_Point`, such as
    /// U+200B ZERO WIDTH SPACE or U+3164 HANGUL FILLER.
    Invisible,
    /// U+2028 LINE SEPARATOR or U+2029 PARAGRAPH SEPARATOR.
    Separator,
    /// A private-use code point (`Co`).
    PrivateUse,
    /// An unassigned code point or a noncharacter (`Cn`).
    Unassigned,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Control => "a control character",
            Self::Bidi => "a bidirectional control character",
            Self::Invisible => "an invisible character",
            Self::Separator => "a line or paragraph separator",
            Self::PrivateUse => "a private-use character",
            Self::Unassigned => "an unassigned character",
        })
    }
}

/// Why a text was refused; shown to the client next to the field name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Nothing but whitespace.
    #[error("must not be empty")]
    Empty,
    /// Longer than the limit, in characters.
    #[error("must be at most {0} characters")]
    TooLong(usize),
    /// Holds a refused code point (see the module docs).
    #[error("must not contain U+{:04X} ({kind})", u32::from(*code_point))]
    Refused {
        /// The first refused code point.
        code_point: char,
        /// Which rule refuses it.
        kind: Refusal,
    },
}

/// Which rule refuses `ch` in text from outside, or `None` when it is allowed.
pub fn refusal(ch: char) -> Option<Refusal> {
    // Printable ASCII is the common case and never refused.
    if (' '..='~').contains(&ch) {
        return None;
    }
    if CodePointSetData::new::<BidiControl>().contains(ch) {
        return Some(Refusal::Bidi);
    }
    match CodePointMapData::<GeneralCategory>::new().get(ch) {
        GeneralCategory::Control => return Some(Refusal::Control),
        GeneralCategory::Format => return Some(Refusal::Invisible),
        GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator => return Some(Refusal::Separator),
        GeneralCategory::PrivateUse => return Some(Refusal::PrivateUse),
        GeneralCategory::Unassigned | GeneralCategory::Surrogate => return Some(Refusal::Unassigned),
        _ => {}
    }
    CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(ch).then_some(Refusal::Invisible)
}

/// `Ok` when `text` holds no refused code point.
///
/// # Errors
/// [`TextError::Refused`] naming the first refused code point.
pub fn check(text: &str) -> Result<(), TextError> {
    match text.chars().find_map(|ch| refusal(ch).map(|kind| (ch, kind))) {
        Some((code_point, kind)) => Err(TextError::Refused { code_point, kind }),
        None => Ok(()),
    }
}

/// `text` in Unicode Normalization Form C (borrowed when it already is).
pub fn nfc(text: &str) -> Cow<'_, str> {
    ComposingNormalizerBorrowed::new_nfc().normalize(text)
}

/// `text` in NFC, if it holds no refused code point: what every string from outside
/// becomes before a handler sees it.
///
/// # Errors
/// [`TextError::Refused`] naming the first refused code point.
pub fn clean(text: &str) -> Result<Cow<'_, str>, TextError> {
    let text = nfc(text);
    check(&text)?;
    Ok(text)
}

/// `text` trimmed and in NFC, if it holds 1 to `max` characters (counted after
/// normalization) and no refused code point.
///
/// # Errors
/// [`TextError::Empty`], [`TextError::TooLong`] or [`TextError::Refused`].
pub fn bounded(text: &str, max: usize) -> Result<String, TextError> {
    let text = clean(text)?;
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

    #[test]
    fn control_characters_are_refused_even_at_the_ends() {
        for (text, code_point) in
            [("a\0b", '\0'), ("line\nbreak", '\n'), ("Kim\r", '\r'), ("\tKim", '\t'), ("a\u{7f}", '\u{7f}')]
        {
            assert_eq!(check(text), Err(TextError::Refused { code_point, kind: Refusal::Control }), "{text:?}");
            assert!(bounded(text, 50).is_err(), "{text:?}");
        }
        assert_eq!(refusal('\u{85}'), Some(Refusal::Control));
        assert_eq!(refusal('\u{9b}'), Some(Refusal::Control));
    }

    #[test]
    fn bidirectional_controls_are_refused() {
        for ch in ['\u{61c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}']
            .into_iter()
            .chain('\u{2066}'..='\u{2069}')
        {
            assert_eq!(refusal(ch), Some(Refusal::Bidi), "U+{:04X}", u32::from(ch));
        }
        let err = bounded("Ameri\u{202e}onacc", 100).unwrap_err();
        assert_eq!(err.to_string(), "must not contain U+202E (a bidirectional control character)");
    }

    #[test]
    fn invisible_characters_are_refused() {
        let invisible = [
            '\u{ad}',
            '\u{34f}',
            '\u{115f}',
            '\u{1160}',
            '\u{180e}',
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{2060}',
            '\u{2061}',
            '\u{2062}',
            '\u{2063}',
            '\u{2064}',
            '\u{3164}',
            '\u{fe00}',
            '\u{fe0f}',
            '\u{feff}',
            '\u{ffa0}',
            '\u{e0001}',
            '\u{e0041}',
            '\u{e0100}',
            '\u{1d173}',
            '\u{600}',
        ];
        for ch in invisible {
            assert_eq!(refusal(ch), Some(Refusal::Invisible), "U+{:04X}", u32::from(ch));
        }
        assert_eq!(refusal('\u{2028}'), Some(Refusal::Separator));
        assert_eq!(refusal('\u{2029}'), Some(Refusal::Separator));
        assert_eq!(refusal('\u{e000}'), Some(Refusal::PrivateUse));
        assert_eq!(refusal('\u{10fffd}'), Some(Refusal::PrivateUse));
        assert_eq!(refusal('\u{fdd0}'), Some(Refusal::Unassigned));
        assert_eq!(refusal('\u{ffff}'), Some(Refusal::Unassigned));
        assert_eq!(refusal('\u{e0080}'), Some(Refusal::Unassigned));
        assert!(matches!(bounded("Ame\u{200b}ricano", 100), Err(TextError::Refused { code_point: '\u{200b}', .. })));
        // A name made only of Hangul fillers looks empty and is refused.
        assert!(bounded("\u{3164}\u{3164}", 100).is_err());
    }

    #[test]
    fn ordinary_text_of_many_scripts_is_allowed() {
        for text in [
            "Espresso tonic",
            "아메리카노",
            "カフェラテ",
            "crème brûlée",
            "Ünïcödé",
            "ñandú",
            "قهوة",
            "☕ 4500₩",
            "a\u{a0}b",
        ] {
            assert_eq!(check(text), Ok(()), "{text}");
        }
        assert_eq!(refusal('\u{301}'), None, "combining marks are letters' parts");
    }

    #[test]
    fn text_is_normalized_to_nfc_before_counting() {
        assert_eq!(bounded("cre\u{300}me", 100).unwrap(), "crème");
        // Conjoining jamo: 판 spelt out letter by letter.
        let jamo = "\u{1111}\u{1161}\u{11ab}";
        assert_eq!(bounded(jamo, 100).unwrap(), "판");
        assert_eq!(bounded(jamo, 1).unwrap(), "판", "counted as one character once composed");
        assert_eq!(nfc("Kim"), Cow::Borrowed("Kim"));
        assert_eq!(clean("e\u{301}").unwrap(), "é");
    }
}
