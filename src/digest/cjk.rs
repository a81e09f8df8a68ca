//! Scripts written without spaces between words: Chinese, Japanese and Korean text is
//! split by the index into pairs of characters, and read here for names and dates.

/// Whether a character is written without spaces between words: Han (Chinese, kanji),
/// Hiragana, Katakana and Hangul.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x309F     // Hiragana
        | 0x30A0..=0x30FF   // Katakana
        | 0x31F0..=0x31FF   // Katakana phonetic extensions
        | 0x3400..=0x4DBF   // CJK extension A
        | 0x4E00..=0x9FFF   // CJK unified ideographs
        | 0xAC00..=0xD7AF   // Hangul syllables
        | 0x1100..=0x11FF   // Hangul jamo
        | 0xF900..=0xFAFF   // CJK compatibility ideographs
        | 0xFF66..=0xFF9D   // half-width Katakana
        | 0x20000..=0x2FA1F // CJK extensions B-F, compatibility supplement
    )
}
