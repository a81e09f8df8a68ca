//! The language an entry is written in, as an ISO 639-1 code: from `lang:`,
//! `language:` or `locale:` in its front matter (`fr`, `fr-FR`, `French`), or detected
//! from its text by whatlang when the detection is reliable. English, the default of
//! the index's analyzers, is `None`.

use whatlang::Lang;

/// Languages as whatlang names them, with their ISO 639-1 code and English name.
const LANGUAGES: &[(Lang, &str, &str)] = &[
    (Lang::Ara, "ar", "arabic"),
    (Lang::Dan, "da", "danish"),
    (Lang::Nld, "nl", "dutch"),
    (Lang::Fin, "fi", "finnish"),
    (Lang::Fra, "fr", "french"),
    (Lang::Deu, "de", "german"),
    (Lang::Ell, "el", "greek"),
    (Lang::Hun, "hu", "hungarian"),
    (Lang::Ita, "it", "italian"),
    (Lang::Nob, "no", "norwegian"),
    (Lang::Por, "pt", "portuguese"),
    (Lang::Ron, "ro", "romanian"),
    (Lang::Rus, "ru", "russian"),
    (Lang::Spa, "es", "spanish"),
    (Lang::Swe, "sv", "swedish"),
    (Lang::Tam, "ta", "tamil"),
    (Lang::Tur, "tr", "turkish"),
    (Lang::Cmn, "zh", "chinese"),
    (Lang::Jpn, "ja", "japanese"),
    (Lang::Kor, "ko", "korean"),
    (Lang::Eng, "en", "english"),
];

/// Characters of text a detection looks at.
const SAMPLE_CHARS: usize = 1200;

/// A front-matter value as a code: `fr`, `fr-FR`, `fr_FR`, `French` -> `fr`.
pub fn from_value(value: &str) -> Option<String> {
    let value = value.trim().to_lowercase();
    let code = value.split(['-', '_']).next().unwrap_or(&value);
    LANGUAGES
        .iter()
        .find(|(_, c, name)| *c == code || *name == value)
        .map(|(_, code, _)| code.to_string())
        .or_else(|| {
            (code.len() == 2 && code.chars().all(|c| c.is_ascii_alphabetic()))
                .then(|| code.to_string())
        })
        .filter(|code| code != "en")
}

/// The language of a text, when whatlang is confident of it.
pub fn detect(text: &str) -> Option<String> {
    let sample: String = text.chars().take(SAMPLE_CHARS).collect();
    let info = whatlang::detect(&sample).filter(|info| info.is_reliable())?;
    LANGUAGES
        .iter()
        .find(|(lang, ..)| *lang == info.lang())
        .map(|(_, code, _)| code.to_string())
        .filter(|code| code != "en")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_from_front_matter_and_detection() {
        assert_eq!(from_value("fr-FR").as_deref(), Some("fr"));
        assert_eq!(from_value("German").as_deref(), Some("de"));
        assert_eq!(from_value("en_US"), None);
        assert_eq!(from_value("zh").as_deref(), Some("zh"));
        let french = "Les modèles de langue ouverts progressent vite : cette semaine, trois \
                      nouvelles versions sont sorties, et les développeurs comparent leurs \
                      performances sur des machines personnelles avec beaucoup d'enthousiasme.";
        assert_eq!(detect(french).as_deref(), Some("fr"));
        let english = "Open language models move fast: this week three new releases came \
                       out, and developers compare how they run on their own machines.";
        assert_eq!(detect(english), None);
    }
}
